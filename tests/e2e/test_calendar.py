"""Calendar links on a phone: a site's «Add to calendar», the list of feeds, a vendor's private address."""

import datetime

import pytest
from django.test import Client

from booths import calendar
from booths.models import Assignment, Offer
from tests import factories

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def world(reference_data):
    exhibition = factories.exhibition(title_fa="نمایشگاه سراسری مشاغل خانگی لرستان", slug="lorestan-1405")
    today = datetime.date.today()
    site = factories.site(
        exhibition,
        slug="khorramabad-fair",
        title_fa="خرم‌آباد — نمایشگاه بین‌المللی",
        start_date=today,
        end_date=today + datetime.timedelta(days=4),
    )
    factories.site(exhibition, county_slug="borujerd", slug="borujerd-bazaar", title_fa="بازارچه بروجرد")
    user = factories.user(mobile="09161231234")
    vendor = factories.vendor(user=user, business_name="ترشی‌سرای مریم")
    application = factories.application(site, vendor, status="accepted")
    booth = factories.booth(factories.hall(site), code="A-01")
    offer = Offer.objects.create(
        application=application,
        booth=booth,
        days=[today.isoformat()],
        status=Offer.Status.CONFIRMED,
        expires_at=datetime.datetime.now(datetime.UTC),
    )
    Assignment.objects.create(booth=booth, date=today, application=application, offer=offer)
    calendar.regenerate_vendor_token(vendor)
    return {"user": user, "vendor": vendor}


def _page(browser, live_server, viewport, user=None):
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return context, page, errors


@pytest.mark.parametrize(
    "viewport,name", [(PHONE, "calendar-site-phone"), (DESKTOP, "calendar-site-desktop")]
)
def test_site_page_offers_subscribe_and_download(live_server, browser, screenshot, world, viewport, name):
    context, page, errors = _page(browser, live_server, viewport)
    page.goto(live_server.url + "/sites/khorramabad-fair/")
    links = page.get_by_role("navigation", name="افزودن به تقویم")
    subscribe = links.get_by_role("link", name="اشتراک در تقویم")
    assert (
        subscribe.get_attribute("href")
        == f"webcal://{live_server.url.split('://')[1]}/calendar/sites/khorramabad-fair.ics"
    )
    assert links.get_by_role("link", name="دریافت فایل .ics").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    # The download answers with the calendar.
    response = page.request.get(live_server.url + "/calendar/sites/khorramabad-fair.ics")
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert errors == []
    screenshot(page, name)
    context.close()


def test_calendars_page_on_a_phone(live_server, browser, screenshot, world):
    context, page, errors = _page(browser, live_server, PHONE)
    page.goto(live_server.url + "/calendars/")
    assert page.locator("h1").inner_text() == "تقویم‌ها"
    assert page.get_by_role("link", name="اشتراک در تقویم").count() == 1 + 2 + 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    assert errors == []
    screenshot(page, "calendar-feeds-phone")
    context.close()


def test_vendor_private_address_on_a_phone(live_server, browser, screenshot, world):
    context, page, errors = _page(browser, live_server, PHONE, world["user"])
    page.goto(live_server.url + "/me/")
    old = world["vendor"].calendar_token
    address = page.get_by_label("نشانی خصوصی تقویم")
    assert address.input_value().endswith(f"/calendar/vendor/{old}.ics")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    screenshot(page, "calendar-vendor-phone")
    page.get_by_role("button", name="ساختن نشانی تازه").click()
    page.wait_for_load_state("networkidle")
    world["vendor"].refresh_from_db()
    assert world["vendor"].calendar_token != old
    assert (
        page.get_by_label("نشانی خصوصی تقویم")
        .input_value()
        .endswith(f"/{world['vendor'].calendar_token}.ics")
    )
    assert page.request.get(live_server.url + f"/calendar/vendor/{old}.ics").status == 404
    assert errors == []
    context.close()


def test_organiser_deadlines_page(live_server, browser, screenshot, world):
    organiser = factories.county_organiser("khorramabad")
    context, page, errors = _page(browser, live_server, PHONE, organiser)
    page.goto(live_server.url + "/organiser/")
    page.get_by_role("link", name="تقویم مهلت‌ها").click()
    page.get_by_role("button", name="ساختن نشانی تقویم من").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("نشانی خصوصی تقویم").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    assert errors == []
    screenshot(page, "calendar-organiser-phone")
    context.close()
