"""Tests for the builtin template filters jdate, jdatetime, jtime, jrange and digits."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

UTC = datetime.UTC
OCT_7 = datetime.date(2025, 10, 7)
# 10:30 UTC is 14:00 in Tehran.
OCT_7_AFTERNOON = datetime.datetime(2025, 10, 7, 10, 30, tzinfo=UTC)


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("source", "language", "expected"),
    [
        ("{{ d|jdate }}", "fa", "۱۵ مهر ۱۴۰۴"),
        ('{{ d|jdate:"short" }}', "fa", "۱۴۰۴/۰۷/۱۵"),
        ('{{ d|jdate:"weekday" }}', "fa", "سه‌شنبه ۱۵ مهر ۱۴۰۴"),
        ("{{ d|jdate }}", "en", "7 October 2025"),
        ('{{ d|jdate:"short" }}', "en", "2025-10-07"),
        ('{{ d|jdate:"weekday" }}', "en", "Tuesday 7 October 2025"),
    ],
)
def test_jdate_styles(source, language, expected):
    assert render(source, language, d=OCT_7) == expected


def test_jdate_datetime_uses_tehran_day():
    late_evening_utc = datetime.datetime(2025, 10, 6, 21, 0, tzinfo=UTC)
    assert render("{{ d|jdate }}", "fa", d=late_evening_utc) == "۱۵ مهر ۱۴۰۴"


def test_jdate_none_and_missing_render_empty():
    assert render("[{{ d|jdate }}][{{ missing|jdate }}]", "fa", d=None) == "[][]"


def test_jdatetime_both_languages():
    assert render("{{ dt|jdatetime }}", "fa", dt=OCT_7_AFTERNOON) == "۱۵ مهر ۱۴۰۴، ۱۴:۰۰"
    assert render("{{ dt|jdatetime }}", "en", dt=OCT_7_AFTERNOON) == "7 October 2025, 14:00"


def test_jdatetime_plain_date_shows_date():
    assert render("{{ d|jdatetime }}", "fa", d=OCT_7) == "۱۵ مهر ۱۴۰۴"


def test_jdatetime_none_renders_empty():
    assert render("{{ dt|jdatetime }}", "fa", dt=None) == ""


def test_jtime_time_and_datetime():
    assert render("{{ t|jtime }}", "fa", t=datetime.time(14, 0)) == "۱۴:۰۰"
    assert render("{{ t|jtime }}", "en", t=datetime.time(14, 0)) == "14:00"
    assert render("{{ dt|jtime }}", "fa", dt=OCT_7_AFTERNOON) == "۱۴:۰۰"
    assert render("{{ t|jtime }}", "en", t=None) == ""


def test_jrange_both_languages():
    context = {"start": OCT_7, "end": datetime.date(2025, 10, 12)}
    assert render("{{ start|jrange:end }}", "fa", **context) == "۱۵ تا ۲۰ مهر ۱۴۰۴"
    assert render("{{ start|jrange:end }}", "en", **context) == "7–12 October 2025"


def test_jrange_across_years():
    context = {"start": datetime.date(2026, 3, 16), "end": datetime.date(2026, 3, 25)}
    assert render("{{ start|jrange:end }}", "fa", **context) == "۲۵ اسفند ۱۴۰۴ تا ۵ فروردین ۱۴۰۵"


def test_jrange_missing_end_shows_start():
    assert render("{{ start|jrange:end }}", "fa", start=OCT_7, end=None) == "۱۵ مهر ۱۴۰۴"


def test_jrange_missing_start_renders_empty():
    assert render("{{ start|jrange:end }}", "fa", start=None, end=OCT_7) == ""


def test_digits_int_and_string():
    assert render("{{ n|digits }} {{ s|digits }}", "fa", n=1404, s="Booth 12") == "۱۴۰۴ Booth ۱۲"
    assert render("{{ n|digits }} {{ s|digits }}", "en", n=1404, s="Booth 12") == "1404 Booth 12"


def test_digits_none_renders_empty():
    assert render("[{{ n|digits }}]", "fa", n=None) == "[]"


def test_digits_output_is_still_escaped():
    assert render("{{ s|digits }}", "fa", s="<b>12</b> & 'x'") == "&lt;b&gt;۱۲&lt;/b&gt; &amp; &#x27;x&#x27;"


def test_filters_need_no_load_tag():
    assert render("{{ n|digits }}, {{ d|jdate:'short' }}", "fa", n=85, d=OCT_7) == "۸۵, ۱۴۰۴/۰۷/۱۵"
