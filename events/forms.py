"""Organisers' forms for exhibitions and sites: Jalali dates, HH:MM times, weekly hours, closures, quotas.

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

from bazaarche.fields import NumberField
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
from vendors.models import CategoryGroup, County
from vendors.photos import PhotoError, prepare_image

from .coordinates import LocationProblem, read_location
from .models import DayException, Exhibition, OpeningHours, Site, Venue
from .schedule import SATURDAY_FIRST

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})")
POSTER_ACCEPT = "image/jpeg,image/png,image/webp"


def parse_date(text: str) -> datetime.date:
    """A Jalali date, or a Gregorian ISO date when the year is 1900 or later; ValueError otherwise."""
    cleaned = to_ascii_digits(normalize(text))
    match = _ISO_DATE.fullmatch(cleaned)
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


SLUG_HELP = _("Latin letters, digits and hyphens; left empty, one is made from the English title.")


class ExhibitionForm(forms.ModelForm):
    title_fa = NormalizedText(label=_("Persian title"), max_length=250)
    title_en = NormalizedText(label=_("English title"), max_length=250, required=False)
    description_fa = NormalizedText(
        label=_("Persian description"),
        multiline=True,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    description_en = NormalizedText(
        label=_("English description"),
        multiline=True,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr"}),
    )
    slug = forms.SlugField(label=_("Web address"), required=False, max_length=50, help_text=SLUG_HELP)
    poster = PosterField(
        label=_("Poster"),
        required=False,
        help_text=_(
            "A JPG, PNG or WebP image. It is public and shown when the page is shared; it is saved anew, "
            "without the place, date and camera a photo file may carry."
        ),
    )

    class Meta:
        model = Exhibition
        fields = ["title_fa", "title_en", "description_fa", "description_en", "slug", "poster"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title_en"].widget.attrs["dir"] = "ltr"
        self.fields["slug"].widget.attrs["dir"] = "ltr"

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        if slug and Exhibition.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("Another exhibition already uses this web address; please choose another.")
            )
        return slug


class SiteForm(forms.ModelForm):
    """A site's own fields; the venue is chosen from the county's venues or described for a new one."""

    title_fa = NormalizedText(label=_("Persian title"), max_length=250)
    title_en = NormalizedText(label=_("English title"), max_length=250, required=False)
    slug = forms.SlugField(label=_("Web address"), required=False, max_length=50, help_text=SLUG_HELP)
    venue = forms.ModelChoiceField(
        Venue.objects.none(),
        label=_("Venue"),
        required=False,
        empty_label=_("A new venue (fill in below)"),
    )
    venue_name_fa = NormalizedText(label=_("New venue: Persian name"), max_length=200, required=False)
    venue_name_en = NormalizedText(label=_("New venue: English name"), max_length=200, required=False)
    venue_address_fa = NormalizedText(
        label=_("New venue: address"),
        multiline=True,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    venue_location = LocationField(label=_("New venue: map link or coordinates"), required=False)
    start_date = JalaliDateField(label=_("First day"))
    end_date = JalaliDateField(label=_("Last day"))
    applications_open = MomentField(label=_("Applications open"), required=False)
    applications_close = MomentField(label=_("Applications close"), required=False)
    eligible_groups = CheckedMultipleChoiceField(
        CategoryGroup.objects.all(),
        label=_("Eligible category groups"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked means every group."),
    )
    eligible_counties = CheckedMultipleChoiceField(
        County.objects.none(),
        label=_("Eligible counties"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked means every county of the province."),
    )
    helpers_per_booth = NumberField(label=_("Helpers per booth"), min_value=0, max_value=20, initial=1)
    confirm_days = NumberField(label=_("Days to confirm an offer"), min_value=1, max_value=60, initial=3)

    class Meta:
        model = Site
        fields = [
            "title_fa",
            "title_en",
            "slug",
            "county",
            "venue",
            "start_date",
            "end_date",
            "applications_open",
            "applications_close",
            "eligible_groups",
            "eligible_counties",
            "helpers_per_booth",
            "confirm_days",
        ]

    def __init__(self, *args, counties=None, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
        self.fields["county"].label = _("County")
        # Django's own "- Select an option -" has no Persian in Django's catalogue.
        self.fields["county"].empty_label = _("Choose the county")
        if counties is not None and len(counties) == 1:
            self.fields["county"].empty_label = None
        self.fields["venue"].queryset = Venue.objects.filter(county__in=counties).select_related("county")
        self.fields["venue"].label_from_instance = lambda v: f"{v.name} ({v.county.name})"
        self.fields["eligible_counties"].queryset = County.objects.filter(province=province)
        for name in ("title_en", "slug", "venue_name_en"):
            self.fields[name].widget.attrs["dir"] = "ltr"
        # An empty last day's calendar opens at the first day's month, the closing one at the opening's.
        for name, near in (("end_date", "start_date"), ("applications_close", "applications_open")):
            self.fields[name].widget.attrs["data-picker-near"] = self[near].auto_id
        if self.instance.pk is None:
            self.initial.setdefault("helpers_per_booth", 1)
            self.initial.setdefault("confirm_days", 3)

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        if slug and Site.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Another site already uses this web address; please choose another."))
        return slug

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot be before the first day."))
        opens, closes = data.get("applications_open"), data.get("applications_close")
        if opens and closes and closes <= opens:
            self.add_error("applications_close", _("Applications must close after they open."))
        county, venue = data.get("county"), data.get("venue")
        if venue is not None and county is not None and venue.county_id != county.pk:
            self.add_error("venue", _("This venue is in another county; choose one in the site's county."))
        if venue is None and not data.get("venue_name_fa"):
            self.add_error("venue_name_fa", _("Choose a venue, or write the Persian name of a new one."))
        return data

    def new_venue(self) -> Venue | None:
        """The venue described inline, unsaved; None when an existing venue was chosen."""
        data = self.cleaned_data
        if data.get("venue") is not None:
            return None
        location = data.get("venue_location")
        return Venue(
            county=data["county"],
            name_fa=data["venue_name_fa"],
            name_en=data.get("venue_name_en") or "",
            address_fa=data.get("venue_address_fa") or "",
            latitude=location.latitude if location else None,
            longitude=location.longitude if location else None,
        )


class HoursForm(forms.Form):
    """Weekly hours: the same every day, per weekday (Saturday first, empty = closed), or a weekly bazaar."""

    EVERY_DAY = "every_day"
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"
    MODES = [
        (EVERY_DAY, _("The same hours every day")),
        (WEEKDAYS, _("Hours for each weekday")),
        (WEEKLY, _("Weekly bazaar: one day a week")),
    ]

    mode = forms.ChoiceField(
        label=_("How the site keeps hours"), choices=MODES, widget=forms.RadioSelect, initial=EVERY_DAY
    )
    opens = ClockField(label=_("Opens"), required=False)
    closes = ClockField(label=_("Closes"), required=False)
    weekday = forms.TypedChoiceField(
        label=_("Bazaar day"), choices=OpeningHours.Weekday.choices, coerce=int, required=False, initial=4
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day in SATURDAY_FIRST:
            label = OpeningHours.Weekday(day).label
            self.fields[f"opens_{day}"] = ClockField(label=label, required=False)
            self.fields[f"closes_{day}"] = ClockField(label=label, required=False)

    @classmethod
    def initial_for(cls, hours: list[OpeningHours]) -> dict:
        if not hours:
            return {"mode": cls.EVERY_DAY}
        initial: dict = {}
        for h in hours:
            initial[f"opens_{h.weekday}"] = h.opens
            initial[f"closes_{h.weekday}"] = h.closes
        times = {(h.opens, h.closes) for h in hours}
        if len(times) == 1:
            initial.update({"opens": hours[0].opens, "closes": hours[0].closes})
        if len(hours) == 7 and len(times) == 1:
            initial["mode"] = cls.EVERY_DAY
        elif len(hours) == 1:
            initial.update({"mode": cls.WEEKLY, "weekday": hours[0].weekday})
        else:
            initial["mode"] = cls.WEEKDAYS
        return initial

    def rows(self):
        """(weekday label, opens field, closes field), Saturday first, for the template."""
        return [
            (OpeningHours.Weekday(day).label, self[f"opens_{day}"], self[f"closes_{day}"])
            for day in SATURDAY_FIRST
        ]

    def _pair(self, data, opens_name: str, closes_name: str, required: bool) -> tuple | None:
        opens, closes = data.get(opens_name), data.get(closes_name)
        if opens_name in self.errors or closes_name in self.errors:
            return None
        if opens is None and closes is None:
            if required:
                self.add_error(opens_name, _("Please enter the opening and closing times."))
            return None
        if opens is None or closes is None:
            self.add_error(opens_name if opens is None else closes_name, _("Enter both times, or neither."))
            return None
        if closes <= opens:
            self.add_error(closes_name, _("Closing time must be after opening time."))
            return None
        return opens, closes

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        hours: dict[int, tuple] = {}
        if mode in (self.EVERY_DAY, self.WEEKLY):
            pair = self._pair(data, "opens", "closes", required=True)
            if pair and mode == self.EVERY_DAY:
                hours = dict.fromkeys(range(7), pair)
            elif pair:
                if data.get("weekday") is None:
                    self.add_error("weekday", _("Choose the day of the week the bazaar is held."))
                else:
                    hours = {data["weekday"]: pair}
        elif mode == self.WEEKDAYS:
            for day in SATURDAY_FIRST:
                pair = self._pair(data, f"opens_{day}", f"closes_{day}", required=False)
                if pair:
                    hours[day] = pair
            if not hours and not self.errors:
                self.add_error(None, _("Please give hours for at least one weekday."))
        data["hours"] = hours
        return data


class ExceptionForm(forms.Form):
    """One date on which a site is closed or keeps other hours."""

    date = JalaliDateField(label=_("Date"))
    closed = forms.TypedChoiceField(
        label=_("That day"),
        choices=[("1", _("Closed all day")), ("0", _("Open at other hours"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    opens = ClockField(label=_("Opens"), required=False)
    closes = ClockField(label=_("Closes"), required=False)
    reason_fa = NormalizedText(label=_("Reason (Persian)"), max_length=200, required=False)
    reason_en = NormalizedText(label=_("Reason (English)"), max_length=200, required=False)

    def __init__(self, *args, site: Site, **kwargs):
        self.site = site
        super().__init__(*args, prefix="exception", **kwargs)
        # The calendar offers only the site's own days, opening at the first of them still to come.
        opening = min(max(timezone.localdate(), site.start_date), site.end_date)
        self.fields["date"].widget.attrs.update(
            {
                "data-picker-min": site.start_date.isoformat(),
                "data-picker-max": site.end_date.isoformat(),
                "data-picker-default": opening.isoformat(),
            }
        )

    def clean(self):
        data = super().clean()
        day = data.get("date")
        if day and not self.site.start_date <= day <= self.site.end_date:
            self.add_error("date", _("This date is outside the site's dates."))
        elif day and DayException.objects.filter(site=self.site, date=day).exists():
            self.add_error("date", _("This date already has a closure or exception; remove it first."))
        if data.get("closed") is False:
            opens, closes = data.get("opens"), data.get("closes")
            if "opens" in self.errors or "closes" in self.errors:
                return data
            if opens is None or closes is None:
                self.add_error("opens", _("Please enter the opening and closing times."))
            elif closes <= opens:
                self.add_error("closes", _("Closing time must be after opening time."))
        return data


class QuotasForm(forms.Form):
    """The largest share of booths per category group, in percent; empty means no limit."""

    def __init__(self, *args, groups: list[CategoryGroup], initial_percents: dict[int, int], **kwargs):
        super().__init__(*args, prefix="quota", **kwargs)
        for group in groups:
            self.fields[str(group.pk)] = NumberField(
                label=group.name,
                required=False,
                min_value=1,
                max_value=100,
                initial=initial_percents.get(group.pk),
                error_messages={
                    "min_value": _("A share is between 1 and 100 percent."),
                    "max_value": _("A share is between 1 and 100 percent."),
                    "invalid": _("Write a whole number between 1 and 100."),
                },
            )

    def percents(self) -> dict[int, int]:
        return {int(name): value for name, value in self.cleaned_data.items() if value is not None}
