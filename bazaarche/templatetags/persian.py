"""Template filters that show dates, times and digits the way the active language writes them."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone

from bazaarche.jalali import format_date, format_date_range, format_datetime, format_time
from bazaarche.text import digits_for_language

register = template.Library()

# Like Django's own date filters, these render "" for a missing or wrong-typed value instead of
# breaking the page; a wrong style argument is a template bug and still raises.


@register.filter
def jdate(value: Any, style: str = "long") -> str:
    """{{ value|jdate }}, {{ value|jdate:"short" }}, {{ value|jdate:"weekday" }}."""
    if not isinstance(value, datetime.date):
        return ""
    return format_date(value, style)


@register.filter(name="jdatetime")
def jdatetime_filter(value: Any) -> str:
    """{{ value|jdatetime }}: date and time in the current time zone; a plain date shows as a date."""
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return format_date(value)
    return ""


@register.filter
def jtime(value: Any) -> str:
    """{{ value|jtime }}: a time, or the time of a datetime in the current time zone."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return format_time(value.time())
    if isinstance(value, datetime.time):
        return format_time(value)
    return ""


@register.filter
def jrange(start: Any, end: Any) -> str:
    """{{ start|jrange:end }}: a compact span of days; a missing end shows the start alone."""
    if not isinstance(start, datetime.date):
        return ""
    if not isinstance(end, datetime.date):
        return format_date(start)
    return format_date_range(start, end)


@register.filter
def digits(value: Any) -> str:
    """{{ value|digits }}: the active language's digits (Persian in fa, Latin otherwise), for numbers
    and for free text people typed (names, captions, reasons; stored with ASCII digits). Titles and
    names of bilingual rows already read this way (vendors.models.Bilingual.localized). Not for
    links, ids in attributes, or codes typed back or scanned (a pass code, a tracking code in an input)."""
    # Not is_safe: in already-safe HTML it would also rewrite digits inside entities and
    # attributes, so the result is treated as text and escaped like any other.
    if value is None:
        return ""
    return digits_for_language(str(value))
