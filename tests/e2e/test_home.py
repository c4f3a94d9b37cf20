"""A visitor opens the home page on a phone, in Persian, and nothing loads from another host."""

import datetime
from urllib.parse import urlsplit

import pytest

from tests import factories

from .conftest import DESKTOP, PHONE, watch

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def running_sites(reference_data):
    exhibition = factories.exhibition(title_fa="نمایشگاه سراسری مشاغل خانگی لرستان", slug="lorestan-1405")
    today = datetime.date.today()
    factories.site(
        exhibition,
        county_slug="khorramabad",
        title_fa="خرم‌آباد — نمایشگاه بین‌المللی",
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=4),
    )
    factories.site(
        exhibition,
        county_slug="borujerd",
        title_fa="بازارچه بروجرد",
        start_date=today + datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=19),
    )


@pytest.mark.parametrize("viewport,name", [(PHONE, "home-phone"), (DESKTOP, "home-desktop")])
def test_home_in_persian_rtl_loads_nothing_from_other_hosts(
    live_server, browser, screenshot, running_sites, viewport, name
):
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    seen = watch(page)
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")

    assert page.locator("html").get_attribute("lang") == "fa"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "نمایشگاه‌ها و بازارچه‌های مشاغل خانگی"
    assert page.get_by_text("خرم‌آباد — نمایشگاه بین‌المللی").is_visible()
    assert page.evaluate("document.fonts.check('16px Vazirmatn')") is True
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth") is True
    assert seen["hosts"] == {urlsplit(live_server.url).netloc}
    assert seen["failed"] == []
    assert seen["errors"] == []
    screenshot(page, name)
    context.close()
