"""Organisers' forms for exhibitions and sites: weekly hours, closures, quotas (field types in form_fields.py)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bazaarche.fields import NumberField
from vendors.models import CategoryGroup, County

from .form_fields import (
    CheckedMultipleChoiceField,
    ClockField,
    JalaliDateField,
    LocationField,
    MomentField,
    NormalizedText,
    PosterField,
)
from .models import DayException, Exhibition, OpeningHours, Site, Venue
from .schedule import SATURDAY_FIRST

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
