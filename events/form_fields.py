"""The field types of the organisers' forms: Jalali dates, HH:MM times, moments, a place from a map link,
normalised text, the poster, ticked rows by key.

Dates are typed as Jalali (1405/09/07, Persian or Arabic digits welcome) or as Gregorian ISO
(2026-11-28) in either language; a four-digit year of 1900 or more is read as Gregorian. Fields
show their initial value in Jalali in Persian and in ISO in English.
"""

from __future__ import annotations

import datetime
import json
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from bazaarche.jalali import (
    GREGORIAN_MONTHS_EN,
    JALALI_MONTHS_FA,
    WEEKDAYS_EN,
    WEEKDAYS_FA,
    parse_jalali,
    to_jalali_string,
)
from bazaarche.text import digits_for_language, is_persian, normalize, normalize_multiline, to_ascii_digits
from bazaarche.validators import parse_pk
from vendors.photos import PhotoError, prepare_image

from .coordinates import LocationProblem, read_location
from .schedule import SATURDAY_FIRST

# A Gregorian day: 2026-11-28 (or with / or . between), told from a Jalali one by its year (1900 on).
_GREGORIAN_DATE = re.compile(r"([0-9]{4}) ?[/.\-] ?([0-9]{1,2}) ?[/.\-] ?([0-9]{1,2})")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
POSTER_ACCEPT = "image/jpeg,image/png,image/webp"


def parse_date(text: str) -> datetime.date:
    """A day typed in either calendar, the year telling which (1900 on is Gregorian): the editor and the
    visitors' date filter read days the same way, whatever the page's language. ValueError otherwise."""
    cleaned = to_ascii_digits(normalize(text))
    match = _GREGORIAN_DATE.fullmatch(cleaned)
    if match and int(match.group(1)) >= 1900:
        return datetime.date(*(int(g) for g in match.groups()))
    return parse_jalali(cleaned)


def show_date(value: datetime.date | None) -> str:
    if value is None:
        return ""
    return digits_for_language(to_jalali_string(value)) if is_persian(get_language()) else value.isoformat()


def parse_time(text: str) -> datetime.time:
    cleaned = to_ascii_digits(normalize(text))
    match = _TIME.fullmatch(cleaned)
    if match is None:
        raise ValueError(text)
    return datetime.time(int(match.group(1)), int(match.group(2)))


def show_time(value: datetime.time | None) -> str:
    return "" if value is None else digits_for_language(f"{value:%H:%M}")


def _calendar_words() -> str:
    """The month calendar beside date boxes (static/js/jalali-picker.js): which calendar it shows and its
    words, in the page's language. Jalali in Persian, Gregorian in English, as show_date writes dates."""
    persian = is_persian(get_language())
    weekdays = [(WEEKDAYS_FA if persian else WEEKDAYS_EN)[day] for day in SATURDAY_FIRST]
    words = {
        "calendar": "jalali" if persian else "gregorian",
        "digits": "persian" if persian else "latin",
        "months": JALALI_MONTHS_FA if persian else GREGORIAN_MONTHS_EN,
        "weekdays": weekdays,
        "short": [name[0] if persian else name[:2] for name in weekdays],
        "open": gettext("Choose on the calendar"),
        "previous": gettext("Previous month"),
        "next": gettext("Next month"),
        "today": gettext("Today"),
        "close": gettext("Close the calendar"),
    }
    return json.dumps(words, ensure_ascii=False)


calendar_words = lazy(_calendar_words, str)


class CalendarMedia:
    # The words ride on the script tag, once a page, and are rendered in the page's language.
    js = [forms.Script("js/jalali-picker.js", defer=True, **{"data-words": calendar_words()})]
    css = {"all": ["css/jalali-picker.css"]}


class DateInput(forms.TextInput):
    Media = CalendarMedia

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return show_date(value)
        return super().format_value(value)


class TimeInput(forms.TextInput):
    def format_value(self, value):
        if isinstance(value, datetime.time):
            return show_time(value)
        return super().format_value(value)


class DateTimeInput(forms.TextInput):
    Media = CalendarMedia

    def format_value(self, value):
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return f"{show_date(local.date())} {show_time(local.time())}"
        return super().format_value(value)


class JalaliDateField(forms.CharField):
    widget = DateInput
    default_error_messages = {
        "invalid": _("«%(value)s» is not a valid date; write it like 1405/09/07."),
    }

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {
                "inputmode": "numeric",
                "dir": "ltr",
                "maxlength": "20",
                "placeholder": _("1405/09/07"),
                "autocomplete": "off",
                "data-date-picker": "date",
            }
        )
        return attrs

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_date(text)
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": digits_for_language(text)}
            ) from None


class ClockField(forms.CharField):
    """A time of day as HH:MM; Persian and Arabic digits accepted."""

    widget = TimeInput
    default_error_messages = {"invalid": _("«%(value)s» is not a valid time; write it like 16:30.")}

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "dir": "ltr", "maxlength": "8", "placeholder": _("16:30")})
        return attrs

    def to_python(self, value):
        if isinstance(value, datetime.time):
            return value
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_time(text)
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": digits_for_language(text)}
            ) from None


class MomentField(forms.CharField):
    """A date and an optional HH:MM (midnight when left out), as an aware datetime in Tehran time."""

    widget = DateTimeInput
    default_error_messages = {
        "invalid": _("«%(value)s» is not a valid date and time; write it like 1405/09/07 08:00."),
    }

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {
                "dir": "ltr",
                "placeholder": _("1405/09/07 08:00"),
                "autocomplete": "off",
                "data-date-picker": "datetime",
            }
        )
        return attrs

    def to_python(self, value):
        if isinstance(value, datetime.datetime):
            return value
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        parts = normalize(text).split(" ")
        try:
            if len(parts) > 2:
                raise ValueError(text)
            day = parse_date(parts[0])
            clock = parse_time(parts[1]) if len(parts) == 2 else datetime.time(0)
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": digits_for_language(text)}
            ) from None
        return timezone.make_aware(datetime.datetime.combine(day, clock), timezone.get_current_timezone())


class LocationField(forms.CharField):
    """A pasted map link or typed coordinates, read into a Location (events.coordinates); nothing is fetched."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault(
            "help_text",
            _(
                "Paste the place's link from Neshan, Balad, Google Maps or OpenStreetMap, or type its "
                "latitude and longitude, like 33.4878, 48.3558."
            ),
        )
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"dir": "ltr", "autocomplete": "off", "spellcheck": "false"})
        return attrs

    def clean(self, value):
        # After CharField's own checks (length, null characters), so those see the text.
        text = super().clean(value)
        if text in self.empty_values:
            return None
        result = read_location(text)
        if isinstance(result, LocationProblem):
            raise ValidationError(result.message, code=result.code)
        return result


class NormalizedText(forms.CharField):
    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_multiline(value) if self.multiline else normalize(value)


def _poster_refusal(error: PhotoError) -> ValidationError:
    """The organiser's message for a refused poster; the rarer refusals keep the photo check's wording."""
    if error.code == PhotoError.TOO_LARGE:
        return ValidationError(
            _("The poster is too large; please choose an image of at most %(size)s MB."),
            code=error.code,
            params={"size": digits_for_language(str(settings.PHOTO_MAX_BYTES // (1024 * 1024)))},
        )
    if error.code == PhotoError.NOT_AN_IMAGE:
        return ValidationError(
            _("This file is not an image we can read; please choose a JPG, PNG or WebP poster."),
            code=error.code,
        )
    return ValidationError(error.message, code=error.code)


class PosterField(forms.FileField):
    """A plain file field (not ImageField), so that our own checks and messages apply.

    A new upload is cleaned into a fresh JPEG under a random name (vendors.photos, as product photos
    are): the poster is public and the sharing image, and a phone photo's EXIF can hold the GPS
    position of the organiser's home and its file name a person's name.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": POSTER_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if not value or value is initial:
            return value
        try:
            return prepare_image(value)
        except PhotoError as error:
            raise _poster_refusal(error) from None


class CheckedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Ticked rows by primary key; a value no key can be is refused before the database is asked.

    Django's `pk__in` query passes 9223372036854775808 on to SQLite, which fails (OverflowError).
    """

    default_error_messages = {
        "invalid_choice": _("One of the ticked choices is not in the list any more. Reload the page."),
        "invalid_pk_value": _("One of the ticked choices is not in the list any more. Reload the page."),
    }

    def _check_values(self, value):
        for pk in value:
            if parse_pk(pk) is None:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value")
        return super()._check_values(value)
