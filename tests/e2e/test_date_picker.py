"""The month calendar beside organisers' date boxes: keyboard, phone, Jalali and Gregorian, no CDN."""

import datetime

import jdatetime
import pytest
from django.utils import timezone

from events.models import Site
from tests import factories

from .conftest import DESKTOP, signed_in_context, watch

pytestmark = [pytest.mark.e2e]

SMALL_PHONE = {"width": 360, "height": 740}


def new_site_page(browser, live_server, viewport, language=""):
    exhibition = factories.exhibition(status="draft")
    context = signed_in_context(browser, live_server, factories.provincial_organiser(), viewport)
    page = context.new_page()
    seen = watch(page)
    page.goto(f"{live_server.url}{language}/organiser/exhibitions/{exhibition.slug}/sites/new/")
    return context, page, seen


def active_label(page) -> str:
    return page.evaluate("document.activeElement.getAttribute('aria-label')")


@pytest.mark.parametrize("viewport,name", [(SMALL_PHONE, "phone"), (DESKTOP, "desktop")])
def test_date_picker_picks_a_jalali_date_with_the_keyboard(
    live_server, browser, screenshot, reference_data, viewport, name
):
    context, page, seen = new_site_page(browser, live_server, viewport)
    start = page.get_by_label("روز آغاز")
    start.fill("۱۴۰۵/۰۹/۰۷")
    start.press("Tab")  # to the calendar button beside the box
    assert page.evaluate("document.activeElement.className") == "date-picker-toggle"
    page.keyboard.press("Enter")

    assert page.get_by_role("dialog", name="آذر ۱۴۰۵").is_visible()
    dialog = page.get_by_role("dialog")  # named by the month it shows
    assert active_label(page) == "شنبه ۷ آذر ۱۴۰۵"
    assert dialog.locator("thead th").all_inner_texts() == ["ش", "ی", "د", "س", "چ", "پ", "ج"]
    page.keyboard.press("ArrowLeft")  # right to left: the next day is on the left
    assert active_label(page) == "یکشنبه ۸ آذر ۱۴۰۵"
    page.keyboard.press("ArrowDown")
    assert active_label(page) == "یکشنبه ۱۵ آذر ۱۴۰۵"
    page.keyboard.press("PageDown")
    assert active_label(page) == "سه‌شنبه ۱۵ دی ۱۴۰۵"
    assert page.locator(".date-picker-title").inner_text() == "دی ۱۴۰۵"

    box, sheet = start.bounding_box(), dialog.bounding_box()
    width, height = viewport["width"], viewport["height"]
    assert 0 <= sheet["x"] and sheet["x"] + sheet["width"] <= width
    assert 0 <= sheet["y"] and sheet["y"] + sheet["height"] <= height
    assert box["y"] + box["height"] <= sheet["y"]  # the box being filled stays in sight
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"date-picker-{name}")

    page.keyboard.press("Enter")
    assert start.input_value() == "۱۴۰۵/۱۰/۱۵"
    assert page.locator(".date-picker").count() == 0
    assert page.evaluate("document.activeElement.id") == "id_start_date"
    assert seen["errors"] == []
    assert seen["hosts"] == {live_server.url.split("//")[1]}
    context.close()


def test_date_picker_escape_closes_and_keeps_what_was_typed(live_server, browser, reference_data):
    context, page, _ = new_site_page(browser, live_server, SMALL_PHONE)
    end = page.get_by_label("روز پایان")
    end.fill("1405/12/29")
    end.press("Alt+ArrowDown")
    assert active_label(page) == "شنبه ۲۹ اسفند ۱۴۰۵"
    # 1405 is not a leap year: Esfand has 29 days.
    assert page.locator(".date-picker td[data-day]").count() == 29
    page.keyboard.press("ArrowLeft")
    assert active_label(page) == "یکشنبه ۱ فروردین ۱۴۰۶"
    page.keyboard.press("Escape")
    assert page.locator(".date-picker").count() == 0
    assert end.input_value() == "1405/12/29"
    assert page.evaluate("document.activeElement.id") == "id_end_date"
    context.close()


def test_date_picker_keeps_a_typed_time_and_the_form_saves_the_picked_days(
    live_server, browser, reference_data
):
    context, page, seen = new_site_page(browser, live_server, DESKTOP)
    page.get_by_label("عنوان فارسی").fill("بازارچه زمستانه")
    page.get_by_label("شهرستان", exact=True).select_option(label="خرم‌آباد")
    page.get_by_label("محل تازه: نام فارسی").fill("پارک کیو")
    page.get_by_label("محل تازه: پیوند نقشه یا مختصات جغرافیایی").fill(
        "https://neshan.org/maps/@33.487812,48.355824,16z"
    )
    page.get_by_label("روز آغاز").fill("۱۴۰۵/۱۰/۰۱")
    # An empty last day opens at the first day's month.
    page.get_by_label("روز پایان").press("Alt+ArrowDown")
    assert active_label(page) == "سه‌شنبه ۱ دی ۱۴۰۵"
    for _ in range(9):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    assert page.get_by_label("روز پایان").input_value() == "۱۴۰۵/۱۰/۱۰"
    closes = page.get_by_label("پایان ثبت‌نام")
    closes.fill("1405/09/20 20:00")
    closes.press("Alt+ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert closes.input_value() == "۱۴۰۵/۰۹/۱۹ 20:00"
    page.get_by_label("همه روزها با ساعت یکسان").check()
    page.get_by_label("گشایش", exact=True).fill("16:00")
    page.get_by_label("پایان", exact=True).fill("21:00")
    page.get_by_role("button", name="افزودن محل برگزاری").click()
    page.wait_for_url("**/edit/")

    site = Site.objects.get()
    assert (site.start_date, site.end_date) == (datetime.date(2026, 12, 22), datetime.date(2026, 12, 31))
    assert timezone.localtime(site.applications_close).isoformat() == "2026-12-10T20:00:00+03:30"
    assert (str(site.venue.latitude), str(site.venue.longitude)) == ("33.487812", "48.355824")
    assert seen["errors"] == []
    context.close()


def test_date_picker_on_english_pages_is_gregorian(live_server, browser, reference_data):
    context, page, _ = new_site_page(browser, live_server, SMALL_PHONE, language="/en")
    start = page.get_by_label("First day")
    start.fill("2026-11-28")
    start.press("Alt+ArrowDown")
    assert page.get_by_role("dialog", name="November 2026").is_visible()
    assert active_label(page) == "Saturday 28 November 2026"
    assert page.locator(".date-picker thead th").all_inner_texts() == [
        "Sa",
        "Su",
        "Mo",
        "Tu",
        "We",
        "Th",
        "Fr",
    ]
    page.keyboard.press("ArrowRight")  # left to right: the next day is on the right
    page.keyboard.press("Enter")
    assert start.input_value() == "2026-11-29"
    context.close()


def test_date_picker_jalali_arithmetic_matches_the_server(live_server, browser, reference_data):
    context, page, _ = new_site_page(browser, live_server, DESKTOP)
    first, last = datetime.date(1971, 3, 21), datetime.date(2121, 3, 21)  # 1350 to 1500
    epoch = datetime.date(1970, 1, 1)
    days = list(range((first - epoch).days, (last - epoch).days, 3))
    shown = page.evaluate(
        "days => days.map(n => { const p = window.jalaliPicker.jalali.fromDay(n);"
        " return [p.year, p.month, p.day, window.jalaliPicker.jalali.toDay(p.year, p.month, p.day)]; })",
        days,
    )
    expected = []
    for n in days:
        j = jdatetime.date.fromgregorian(date=epoch + datetime.timedelta(days=n))
        expected.append([j.year, j.month, j.day, n])
    assert shown == expected
    context.close()
