"""An organiser generates a 6 × 10 hall on a phone and on a desktop, then gives one row power."""

import pytest
from django.conf import settings
from django.test import Client

from booths.models import Booth, Hall
from tests import factories

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e]


def signed_in_context(browser, live_server, user, viewport):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context


@pytest.mark.parametrize("viewport,name", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_organiser_generates_hall_and_powers_a_row(
    live_server, browser, screenshot, reference_data, viewport, name
):
    site = factories.site(county_slug="khorramabad", title_fa="خرم‌آباد — نمایشگاه بین‌المللی")
    organiser = factories.county_organiser("khorramabad")
    context = signed_in_context(browser, live_server, organiser, viewport)
    page = context.new_page()
    errors = []  # a Content-Security-Policy violation shows up here
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_server.url}/organiser/sites/{site.slug}/plan/")
    assert page.locator("h1").inner_text() == "نقشهٔ غرفه‌ها"
    screenshot(page, f"plans-empty-{name}")
    page.fill('input[name="code"]', "A")
    page.fill('input[name="name_fa"]', "سالن شمارهٔ ۱")
    page.fill('input[name="rows"]', "۶")
    page.fill('input[name="cols"]', "۱۰")
    page.fill('input[name="aisle_every_cols"]', "5")
    page.locator("form.plan-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    assert page.url.endswith(f"/organiser/sites/{site.slug}/plan/A/")
    assert page.locator("svg.plan rect[data-booth]").count() == 60
    assert Booth.objects.filter(hall__site=site).count() == 60
    # The page never scrolls sideways; a wide plan scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    box = page.locator(".plan-scroll").first
    overflows = box.evaluate("el => el.scrollWidth > el.clientWidth")
    assert overflows is (viewport == PHONE)

    page.select_option('select[name="scope"]', "row-2")
    page.select_option('select[name="has_power"]', "yes")
    page.get_by_role("button", name="اعمال تغییرها").click()
    page.wait_for_load_state("networkidle")

    assert page.locator(".messages li").inner_text() == "۱۰ غرفه به‌روز شد."
    hall = Hall.objects.get(site=site, code="A")
    powered = sorted(Booth.objects.filter(hall=hall, has_power=True).values_list("code", flat=True))
    assert powered == [f"A-{n}" for n in range(11, 21)]
    assert page.locator("svg.plan circle").count() == 10
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    screenshot(page, f"plans-hall-{name}")

    page.goto(f"{live_server.url}/organiser/sites/{site.slug}/plan/")
    assert page.locator("svg.plan rect[data-booth]").count() == 60
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    screenshot(page, f"plans-site-{name}")

    page.locator('svg.plan a:has(rect[data-booth="A-13"])').click()
    page.wait_for_load_state("networkidle")
    assert "A-۱۳" in page.locator("h1").inner_text()
    screenshot(page, f"plans-booth-{name}")
    assert errors == []
    context.close()


def test_english_plan_reads_left_to_right_on_a_phone(live_server, browser, screenshot, reference_data):
    from booths.plans.grid import generate_grid

    site = factories.site(county_slug="khorramabad", title_en="Khorramabad fairground")
    hall = factories.hall(site, code="B", name_fa="سالن ب", name_en="Hall B")
    booths = generate_grid(hall, 3, 8, aisle_every_cols=4, back_to_back=True)
    Booth.objects.filter(pk__in=[booths[0].pk, booths[9].pk]).update(has_water=True, accessible=True)
    Booth.objects.filter(pk=booths[5].pk).update(blocked=True)
    context = signed_in_context(browser, live_server, factories.provincial_organiser(), PHONE)
    page = context.new_page()

    page.goto(f"{live_server.url}/en/organiser/sites/{site.slug}/plan/B/")

    assert page.locator("html").get_attribute("dir") == "ltr"
    first = page.locator('rect[data-booth="B-01"]').bounding_box()
    second = page.locator('rect[data-booth="B-02"]').bounding_box()
    assert first["x"] < second["x"]
    assert page.get_by_text("column 1 is on the left").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    screenshot(page, "plans-hall-english-phone")
    context.close()
