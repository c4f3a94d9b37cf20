"""An organiser opens the dashboard on a phone and a desk: the charts render and read right to left."""

import pytest
from django.test import Client

from tests import factories
from tests.booths.reports.dashboard_data import grow, scenario

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e]


def _context(browser, live_server, user, viewport, locale="fa-IR"):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, device_scale_factor=1, locale=locale)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


@pytest.mark.parametrize("viewport,suffix", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_dashboard_charts_render_right_to_left(
    live_server, browser, screenshot, reference_data, viewport, suffix
):
    s = scenario()
    grow(s.khorramabad, s.booths["kh"], 6, s.today)
    organiser = factories.provincial_organiser(username="province")
    context = _context(browser, live_server, organiser, viewport)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/organiser/")
    page.get_by_role("link", name="داشبورد و خروجی‌ها").click()
    page.wait_for_url("**/organiser/dashboard/")
    assert page.locator("h1").inner_text() == "داشبورد"
    assert page.locator("svg.chart").count() == 10
    assert page.get_by_role("img", name="درخواست‌ها بر اساس وضعیت").count() == 1

    # In Persian the county labels stand to the right of their bars, and bars end on the right side.
    chart = page.locator("#counties svg.chart")
    box = chart.bounding_box()
    label = chart.locator("text.label").first.bounding_box()
    bar = chart.locator("rect.bar").first.bounding_box()
    assert label["x"] > bar["x"] + bar["width"] - 1
    assert label["x"] + label["width"] <= box["x"] + box["width"] + 1
    assert bar["x"] > box["x"]
    # The heat strip's first hour is the rightmost column.
    hours = chart.page.locator("#check-ins svg.heat text.axis")
    first, last = hours.first.bounding_box(), hours.last.bounding_box()
    assert first["x"] > last["x"]
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#status summary").click()
    assert page.locator("#status table").is_visible()
    screenshot(page, f"dashboard-{suffix}")

    # Filtering to one site answers with the fragment and a shareable address.
    page.select_option("#id_site", "bo")
    page.get_by_role("button", name="نمایش").click()
    page.wait_for_url("**/organiser/dashboard/?*site=bo*")
    assert page.locator("#occupancy svg.chart").count() == 1
    assert errors == []
    context.close()


def test_dashboard_in_english_reads_left_to_right(live_server, browser, screenshot, reference_data):
    scenario()
    context = _context(browser, live_server, factories.provincial_organiser(), DESKTOP, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/organiser/dashboard/")
    chart = page.locator("#counties svg.chart")
    label = chart.locator("text.label").first.bounding_box()
    bar = chart.locator("rect.bar").first.bounding_box()
    assert label["x"] + label["width"] < bar["x"] + 1
    screenshot(page, "dashboard-desktop-en")
    context.close()
