"""The organiser's home table on a 1366-pixel desktop (it fits, every date on one line) and on a
360-pixel phone (the page stays the screen's width; the table scrolls inside its own box)."""

import datetime

import pytest
from django.utils import timezone

from booths.models import Application
from tests import factories

from .conftest import signed_in_context

pytestmark = [pytest.mark.e2e]

# Long titles and spans across months, as the demo's sites have.
SITES = [
    ("جشنواره سوغات و صنایع دستی کوهدشت", "Kuhdasht souvenirs and handicrafts festival", "kuhdasht", 0, 4),
    ("بازارچه سه‌شنبه‌های الیگودرز", "Aligudarz Tuesday bazaar", "aligudarz", 5, 90),
    ("بازارچه ده‌روزه بانوان بروجرد", "Borujerd ten-day women's bazaar", "borujerd", -1, 9),
    ("جشنواره مشاغل خانگی خرم‌آباد", "Khorramabad home business festival", "khorramabad", -2, 3),
    ("بازارچه جمعه‌های دورود", "Dorud Friday bazaar", "dorud", -14, 60),
]

MEASURE = """() => ({
  width: document.documentElement.scrollWidth,
  boxes: Array.from(document.querySelectorAll('.table-wrap')).map(w => [w.scrollWidth, w.clientWidth]),
  dateLines: Array.from(document.querySelectorAll('td.site-dates')).map(td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
  }),
})"""


def build_world():
    today = timezone.localdate()
    exhibition = factories.exhibition(
        title_fa="نمایشگاه سراسری مشاغل خانگی لرستان", title_en="Lorestan province-wide home business fair"
    )
    statuses = list(Application.Status.values)
    for n, (title_fa, title_en, county, start, length) in enumerate(SITES):
        site = factories.site(
            exhibition,
            county_slug=county,
            title_fa=title_fa,
            title_en=title_en,
            start_date=today + datetime.timedelta(days=start),
            end_date=today + datetime.timedelta(days=start + length),
        )
        hall = factories.hall(site)
        for _ in range(3):
            factories.booth(hall)
        for status in statuses[: n + 1]:
            factories.application(site, status=status)
    return factories.provincial_organiser()


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_organiser_home_table_fits_a_desktop_and_scrolls_in_its_box_on_a_phone(
    live_server, browser, screenshot, reference_data, prefix
):
    organiser = build_world()
    language = prefix.strip("/") or "fa"

    desktop = signed_in_context(browser, live_server, organiser, {"width": 1366, "height": 900})
    page = desktop.new_page()
    page.goto(f"{live_server.url}{prefix}/organiser/")
    wide = page.evaluate(MEASURE)
    screenshot(page, f"organiser-home-1366-{language}")
    desktop.close()

    phone = signed_in_context(browser, live_server, organiser, {"width": 360, "height": 740})
    page = phone.new_page()
    page.goto(f"{live_server.url}{prefix}/organiser/")
    narrow = page.evaluate(MEASURE)
    screenshot(page, f"organiser-home-360-{language}")
    phone.close()

    assert wide["width"] == 1366
    assert [scroll <= client for scroll, client in wide["boxes"]] == [True]
    assert wide["dateLines"] == [1] * len(SITES)
    assert narrow["width"] == 360
    assert [scroll > client for scroll, client in narrow["boxes"]] == [True]
    assert narrow["dateLines"] == [1] * len(SITES)
