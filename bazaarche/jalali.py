"""Jalali dates: parse what people type, and show dates in Jalali (fa) or Gregorian (en)."""

from __future__ import annotations

import datetime
import re

import jdatetime
from django.utils import timezone

from bazaarche.text import is_persian, normalize, to_persian_digits

# jdatetime uses the arithmetic 33-year leap cycle, which agrees with the astronomical Iranian
# calendar only for 1178–1633. A year outside a narrower window is far more likely a Gregorian
# year typed into a Jalali field ("2025/10/07") than a real date, so it is refused.
JALALI_YEAR_MIN = 1200
JALALI_YEAR_MAX = 1599

JALALI_MONTHS_FA = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
GREGORIAN_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Indexed by Python's date.weekday(): Monday is 0.
WEEKDAYS_FA = ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

DATE_STYLES = ("long", "short", "weekday")

# [0-9], not \d: the text is normalised first, and \d would let other digit sets through.
_JALALI_DATE = re.compile(r"([0-9]{4}) ?[/.\-] ?([0-9]{1,2}) ?[/.\-] ?([0-9]{1,2})")


def _local_date(value: datetime.date) -> datetime.date:
    # An aware datetime at 22:00 UTC is already tomorrow in Tehran.
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def _jalali(value: datetime.date) -> jdatetime.date:
    return jdatetime.date.fromgregorian(date=_local_date(value))


def parse_jalali(text: str) -> datetime.date:
    """Parse a Jalali date such as 1404/07/15, 1404-7-15 or ۱۴۰۴.۰۷.۱۵ into a Gregorian date."""
    cleaned = normalize(text)
    match = _JALALI_DATE.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"Not a Jalali date in the form 1404/07/15: {text!r}")
    year, month, day = (int(part) for part in match.groups())
    if not JALALI_YEAR_MIN <= year <= JALALI_YEAR_MAX:
        raise ValueError(f"Jalali year {year} is outside {JALALI_YEAR_MIN}–{JALALI_YEAR_MAX}: {text!r}")
    if not 1 <= month <= 12:
        raise ValueError(f"Jalali month must be 1–12, not {month}: {text!r}")
    try:
        jalali = jdatetime.date(year, month, day)
    except ValueError:
        # jdatetime's own message ("day is out of range for month") names neither, so say which.
        name = jdatetime.date.j_months_en[month - 1]
        length = 31 if month <= 6 else 30
        if month == 12 and not jdatetime.date(year, 1, 1).isleap():
            length = 29
        raise ValueError(f"{name} {year} has {length} days, so day {day} does not exist: {text!r}") from None
    return jalali.togregorian()


def to_jalali_string(d: datetime.date) -> str:
    """The Jalali date as 1404/07/15 in ASCII digits, for exports and form fields."""
    j = _jalali(d)
    return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"


def month_name(month: int, language: str | None = None) -> str:
    """Name of month 1–12 in the calendar the language shows: Jalali for fa, Gregorian otherwise."""
    if not 1 <= month <= 12:
        raise ValueError(f"Month must be 1–12, not {month}")
    names = JALALI_MONTHS_FA if is_persian(language) else GREGORIAN_MONTHS_EN
    return names[month - 1]


def weekday_name(d: datetime.date, language: str | None = None) -> str:
    """Name of the day of the week of d."""
    names = WEEKDAYS_FA if is_persian(language) else WEEKDAYS_EN
    return names[_local_date(d).weekday()]


def _day_month(d: datetime.date, persian: bool) -> tuple[int, str, int]:
    # Day, month name and year in the calendar the language shows.
    if persian:
        j = _jalali(d)
        return j.day, JALALI_MONTHS_FA[j.month - 1], j.year
    d = _local_date(d)
    return d.day, GREGORIAN_MONTHS_EN[d.month - 1], d.year


def format_date(d: datetime.date, style: str = "long", language: str | None = None) -> str:
    """Show a date: long "۱۵ مهر ۱۴۰۴" / "7 October 2025", short, or long with the weekday."""
    if style not in DATE_STYLES:
        raise ValueError(f"Unknown date style {style!r}; expected one of {', '.join(DATE_STYLES)}")
    persian = is_persian(language)
    d = _local_date(d)
    if style == "short":
        if persian:
            return to_persian_digits(to_jalali_string(d))
        return d.isoformat()
    day, month, year = _day_month(d, persian)
    text = f"{day} {month} {year}"
    if style == "weekday":
        text = f"{weekday_name(d, language)} {text}"
    return to_persian_digits(text) if persian else text


def format_time(t: datetime.time, language: str | None = None) -> str:
    """Show a time of day on the 24-hour clock: "14:00" / "۱۴:۰۰"."""
    text = f"{t.hour:02d}:{t.minute:02d}"
    return to_persian_digits(text) if is_persian(language) else text


def format_datetime(dt: datetime.datetime, language: str | None = None) -> str:
    """Show a moment in the current time zone: "۱۵ مهر ۱۴۰۴، ۱۴:۰۰" / "7 October 2025, 14:00"."""
    if timezone.is_aware(dt):
        dt = timezone.localtime(dt)
    separator = "، " if is_persian(language) else ", "
    return format_date(dt.date(), "long", language) + separator + format_time(dt.time(), language)


def format_date_range(start: datetime.date, end: datetime.date, language: str | None = None) -> str:
    """Show a span of days compactly: "۱۵ تا ۲۰ مهر ۱۴۰۴" / "7–12 October 2025"."""
    start, end = _local_date(start), _local_date(end)
    if end < start:
        raise ValueError(f"Date range ends ({end}) before it starts ({start})")
    if start == end:
        return format_date(start, "long", language)
    persian = is_persian(language)
    start_day, start_month, start_year = _day_month(start, persian)
    end_day, end_month, end_year = _day_month(end, persian)
    if start_year != end_year:
        first = f"{start_day} {start_month} {start_year}"
    elif start_month != end_month:
        first = f"{start_day} {start_month}"
    else:
        first = f"{start_day}"
    last = f"{end_day} {end_month} {end_year}"
    if persian:
        return to_persian_digits(f"{first} تا {last}")
    # The en dash is unspaced between two numbers, spaced between longer phrases.
    return f"{first}–{last}" if first.isdigit() else f"{first} – {last}"


def format_date_span(
    start: datetime.date,
    end: datetime.date,
    language: str | None = None,
    *,
    today: datetime.date | None = None,
) -> str:
    """A span of days short enough for one line of a table: "۱۶–۲۱ آذر" / "7–12 Dec".

    The year is shown only for a span not wholly in this year ("۱۶–۲۱ آذر ۱۴۰۴"); one day is one date.
    English months are cut to their usual three letters; Persian month names are short already.
    """
    start, end = _local_date(start), _local_date(end)
    if end < start:
        raise ValueError(f"Date range ends ({end}) before it starts ({start})")
    persian = is_persian(language)
    this_year = _day_month(today or timezone.localdate(), persian)[2]
    start_day, start_month, start_year = _day_month(start, persian)
    end_day, end_month, end_year = _day_month(end, persian)
    if not persian:
        start_month, end_month = start_month[:3], end_month[:3]
    year = "" if start_year == end_year == this_year else f" {end_year}"
    if start == end:
        text = f"{end_day} {end_month}{year}"
    elif start_year != end_year:
        text = f"{start_day} {start_month} {start_year} – {end_day} {end_month} {end_year}"
    elif start_month != end_month:
        text = f"{start_day} {start_month} – {end_day} {end_month}{year}"
    else:
        text = f"{start_day}–{end_day} {end_month}{year}"  # unspaced between two numbers
    return to_persian_digits(text) if persian else text
