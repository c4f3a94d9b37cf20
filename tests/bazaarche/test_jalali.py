"""Tests for Jalali parsing and for showing dates in Jalali (fa) or Gregorian (en)."""

import datetime

import jdatetime
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from bazaarche.jalali import (
    format_date,
    format_date_range,
    format_date_span,
    format_datetime,
    format_time,
    month_name,
    parse_jalali,
    to_jalali_string,
    weekday_name,
)
from bazaarche.text import fold, to_ascii_digits, to_persian_digits

UTC = datetime.UTC
dates_1900_2100 = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))
# The years parse_jalali accepts, where jdatetime's calendar agrees with the astronomical one.
jalali_years = st.integers(1200, 1599)


def parse_error(text: str) -> str:
    with pytest.raises(ValueError) as info:
        parse_jalali(text)
    return str(info.value)


def test_jdatetime_leap_years_as_asserted_below():
    assert [jdatetime.date(year, 1, 1).isleap() for year in (1399, 1403, 1404, 1408)] == [
        True,
        True,
        False,
        True,
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1404/01/01", datetime.date(2025, 3, 21)),
        ("1403/12/30", datetime.date(2025, 3, 20)),
        ("1404/12/29", datetime.date(2026, 3, 20)),
        ("1405/01/01", datetime.date(2026, 3, 21)),
        ("1399/12/30", datetime.date(2021, 3, 20)),
        ("1404/07/15", datetime.date(2025, 10, 7)),
    ],
)
def test_parse_jalali_known_pairs(text, expected):
    assert parse_jalali(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1404/07/15",
        "1404-7-15",
        "1404.07.15",
        "۱۴۰۴/۰۷/۱۵",
        "١٤٠٤-٠٧-١٥",
        " 1404 / 07 / 15 ",
        "\u200f۱۴۰۴/۷/۱۵\u200e",
    ],
)
def test_parse_jalali_accepted_spellings(text):
    assert parse_jalali(text) == datetime.date(2025, 10, 7)


def test_parse_jalali_esfand_30_in_common_year():
    assert parse_error("1404/12/30") == "Esfand 1404 has 29 days, so day 30 does not exist: '1404/12/30'"


def test_parse_jalali_day_31_in_seventh_month():
    assert parse_error("1404/07/31") == "Mehr 1404 has 30 days, so day 31 does not exist: '1404/07/31'"


def test_parse_jalali_day_zero():
    assert parse_error("1404/01/00") == "Farvardin 1404 has 31 days, so day 0 does not exist: '1404/01/00'"


def test_parse_jalali_month_13():
    assert parse_error("1404/13/01") == "Jalali month must be 1–12, not 13: '1404/13/01'"


def test_parse_jalali_month_zero():
    assert parse_error("1404/00/10") == "Jalali month must be 1–12, not 0: '1404/00/10'"


def test_parse_jalali_gregorian_year_refused():
    assert parse_error("2025/10/07") == "Jalali year 2025 is outside 1200–1599: '2025/10/07'"


@pytest.mark.parametrize(
    "text", ["", "garbage", "1404/07", "04/07/15", "1404/07/15/1", "1404_07_15", "1404/007/15"]
)
def test_parse_jalali_malformed(text):
    assert parse_error(text) == f"Not a Jalali date in the form 1404/07/15: {text!r}"


@given(dates_1900_2100)
def test_parse_jalali_inverts_to_jalali_string(d):
    assert parse_jalali(to_jalali_string(d)) == d


@given(dates_1900_2100)
def test_parse_jalali_accepts_persian_digits_and_dashes(d):
    assert parse_jalali(to_persian_digits(to_jalali_string(d).replace("/", "-"))) == d


@given(st.integers(1200, 1598))
def test_parse_jalali_esfand_30_exists_exactly_in_leap_years(year):
    leap = jdatetime.date(year, 1, 1).isleap()
    last_day = parse_jalali(f"{year}/12/30") if leap else parse_jalali(f"{year}/12/29")
    assert parse_jalali(f"{year + 1}/01/01") - last_day == datetime.timedelta(days=1)
    if not leap:
        with pytest.raises(ValueError):
            parse_jalali(f"{year}/12/30")


@given(jalali_years, st.integers(1, 12), st.integers(1, 31))
def test_parse_jalali_agrees_with_jdatetime(year, month, day):
    try:
        expected = jdatetime.date(year, month, day).togregorian()
    except ValueError:
        with pytest.raises(ValueError):
            parse_jalali(f"{year}/{month}/{day}")
    else:
        assert parse_jalali(f"{year}/{month}/{day}") == expected


def test_to_jalali_string_pads_with_ascii_digits():
    assert to_jalali_string(datetime.date(2025, 3, 21)) == "1404/01/01"


@given(dates_1900_2100)
def test_format_date_short_fa_is_jalali_string_in_persian_digits(d):
    assert to_ascii_digits(format_date(d, "short", "fa")) == to_jalali_string(d)


@pytest.mark.parametrize(
    ("style", "language", "expected"),
    [
        ("long", "fa", "۱۵ مهر ۱۴۰۴"),
        ("short", "fa", "۱۴۰۴/۰۷/۱۵"),
        ("weekday", "fa", "سه‌شنبه ۱۵ مهر ۱۴۰۴"),
        ("long", "en", "7 October 2025"),
        ("short", "en", "2025-10-07"),
        ("weekday", "en", "Tuesday 7 October 2025"),
    ],
)
def test_format_date_styles(style, language, expected):
    assert format_date(datetime.date(2025, 10, 7), style, language) == expected


def test_format_date_follows_active_language():
    with translation.override("fa"):
        assert format_date(datetime.date(2025, 3, 21)) == "۱ فروردین ۱۴۰۴"
    with translation.override("en"):
        assert format_date(datetime.date(2025, 3, 21)) == "21 March 2025"


def test_format_date_aware_datetime_uses_tehran_day():
    # 21:00 UTC on 6 October is 00:30 on 7 October in Tehran.
    assert format_date(datetime.datetime(2025, 10, 6, 21, 0, tzinfo=UTC), "long", "en") == "7 October 2025"


def test_format_date_unknown_style():
    with pytest.raises(ValueError) as info:
        format_date(datetime.date(2025, 10, 7), "medium", "fa")
    assert str(info.value) == "Unknown date style 'medium'; expected one of long, short, weekday"


def test_format_time_both_languages():
    assert format_time(datetime.time(14, 0), "en") == "14:00"
    assert format_time(datetime.time(14, 0), "fa") == "۱۴:۰۰"
    assert format_time(datetime.time(9, 5, 59), "en") == "09:05"


def test_format_datetime_converts_to_tehran():
    moment = datetime.datetime(2025, 10, 7, 10, 30, tzinfo=UTC)
    assert format_datetime(moment, "fa") == "۱۵ مهر ۱۴۰۴، ۱۴:۰۰"
    assert format_datetime(moment, "en") == "7 October 2025, 14:00"


def test_format_datetime_crossing_midnight():
    assert format_datetime(datetime.datetime(2025, 10, 6, 21, 0, tzinfo=UTC), "fa") == "۱۵ مهر ۱۴۰۴، ۰۰:۳۰"


def test_format_datetime_naive_is_taken_as_is():
    assert format_datetime(datetime.datetime(2025, 10, 7, 14, 0), "en") == "7 October 2025, 14:00"


@pytest.mark.parametrize(
    ("start", "end", "language", "expected"),
    [
        (datetime.date(2025, 10, 7), datetime.date(2025, 10, 12), "fa", "۱۵ تا ۲۰ مهر ۱۴۰۴"),
        (datetime.date(2026, 3, 16), datetime.date(2026, 3, 25), "fa", "۲۵ اسفند ۱۴۰۴ تا ۵ فروردین ۱۴۰۵"),
        (datetime.date(2025, 10, 7), datetime.date(2025, 11, 2), "fa", "۱۵ مهر تا ۱۱ آبان ۱۴۰۴"),
        (datetime.date(2025, 10, 7), datetime.date(2025, 10, 7), "fa", "۱۵ مهر ۱۴۰۴"),
        (datetime.date(2025, 10, 7), datetime.date(2025, 10, 12), "en", "7–12 October 2025"),
        (datetime.date(2026, 3, 16), datetime.date(2026, 3, 25), "en", "16–25 March 2026"),
        (datetime.date(2025, 9, 28), datetime.date(2025, 10, 3), "en", "28 September – 3 October 2025"),
        (datetime.date(2025, 12, 28), datetime.date(2026, 1, 3), "en", "28 December 2025 – 3 January 2026"),
        (datetime.date(2025, 10, 7), datetime.date(2025, 10, 7), "en", "7 October 2025"),
    ],
)
def test_format_date_range_compact_forms(start, end, language, expected):
    assert format_date_range(start, end, language) == expected


def test_format_date_range_end_before_start():
    with pytest.raises(ValueError) as info:
        format_date_range(datetime.date(2025, 10, 12), datetime.date(2025, 10, 7), "fa")
    assert str(info.value) == "Date range ends (2025-10-07) before it starts (2025-10-12)"


@settings(deadline=None)
@given(dates_1900_2100, st.integers(0, 400), st.sampled_from(["fa", "en"]))
def test_format_date_range_ends_with_long_end_date(start, days, language):
    end = start + datetime.timedelta(days=days)
    assert format_date_range(start, end, language).endswith(format_date(end, "long", language))


def test_month_name_per_language_calendar():
    assert [month_name(m, "fa") for m in (1, 7, 12)] == ["فروردین", "مهر", "اسفند"]
    assert [month_name(m, "en") for m in (1, 7, 12)] == ["January", "July", "December"]


def test_month_name_out_of_range():
    with pytest.raises(ValueError) as info:
        month_name(13, "fa")
    assert str(info.value) == "Month must be 1–12, not 13"


def test_weekday_name_week_of_2025_10_04():
    week = [datetime.date(2025, 10, 4) + datetime.timedelta(days=i) for i in range(7)]
    assert [weekday_name(d, "fa") for d in week] == [
        "شنبه",
        "یکشنبه",
        "دوشنبه",
        "سه‌شنبه",
        "چهارشنبه",
        "پنجشنبه",
        "جمعه",
    ]
    assert [weekday_name(d, "en") for d in week] == [
        "Saturday",
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
    ]


@given(dates_1900_2100)
def test_weekday_name_agrees_with_jdatetime(d):
    # jdatetime writes یک‌شنبه and پنج‌شنبه with a ZWNJ; fold ignores it.
    jalali = jdatetime.date.fromgregorian(date=d)
    assert fold(weekday_name(d, "fa")) == fold(jdatetime.date.j_weekdays_fa[jalali.weekday()])


TODAY_1405 = datetime.date(2026, 12, 7)  # 16 Azar 1405


@pytest.mark.parametrize(
    "start,end,language,expected",
    [
        (datetime.date(2026, 12, 7), datetime.date(2026, 12, 12), "fa", "۱۶–۲۱ آذر"),
        (datetime.date(2026, 12, 12), datetime.date(2027, 3, 7), "fa", "۲۱ آذر – ۱۶ اسفند"),
        (datetime.date(2026, 12, 7), datetime.date(2026, 12, 7), "fa", "۱۶ آذر"),
        (datetime.date(2025, 12, 7), datetime.date(2025, 12, 12), "fa", "۱۶–۲۱ آذر ۱۴۰۴"),
        (datetime.date(2027, 3, 16), datetime.date(2027, 3, 25), "fa", "۲۵ اسفند ۱۴۰۵ – ۵ فروردین ۱۴۰۶"),
        (datetime.date(2026, 12, 7), datetime.date(2026, 12, 12), "en", "7–12 Dec"),
        (datetime.date(2026, 12, 12), datetime.date(2027, 3, 7), "en", "12 Dec 2026 – 7 Mar 2027"),
        (datetime.date(2026, 11, 7), datetime.date(2026, 12, 12), "en", "7 Nov – 12 Dec"),
        (datetime.date(2025, 12, 7), datetime.date(2025, 12, 7), "en", "7 Dec 2025"),
    ],
)
def test_format_date_span_leaves_out_this_year(start, end, language, expected):
    assert format_date_span(start, end, language, today=TODAY_1405) == expected
