"""Forms of applying and review: an application, the member picker of a company, the review filters and
bulk actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bazaarche.jalali import format_date
from bazaarche.text import digits_for_language, normalize_multiline, to_ascii_digits
from booths.applications.applying import ApplicationData, open_day_choices
from booths.applications.call_site import CallSite
from booths.applications.priority import LEVELS
from booths.applications.review import NEED_FIELDS, ReviewFilters
from booths.models import Application, Booth
from events.models import Site
from vendors.models import CategoryGroup, County


class ApplicationForm(forms.Form):
    """What a vendor asks of one site. Days are the site's open days only; closed days are no choice."""

    days = forms.MultipleChoiceField(
        label=_("Days you want to take part"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one day."),
            "invalid_choice": _(
                "The site is not open on one of the days you chose. Choose only the days listed."
            ),
        },
    )
    needs_power = forms.BooleanField(label=_("I need power"), required=False)
    needs_water = forms.BooleanField(label=_("I need water"), required=False)
    needs_accessible = forms.BooleanField(label=_("I need an accessible booth"), required=False)
    needs_table = forms.BooleanField(label=_("I need a table"), required=False)
    preferred_zones = forms.MultipleChoiceField(
        label=_("Preferred zones"), widget=forms.CheckboxSelectMultiple, required=False
    )
    preferred_types = forms.MultipleChoiceField(
        label=_("Preferred booth types"), widget=forms.CheckboxSelectMultiple, required=False
    )
    helpers = forms.CharField(label=_("Helpers with you"), initial="0", max_length=3)
    products = forms.CharField(
        label=_("What you will sell"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("A few lines on your products, so organisers can place you well."),
        error_messages={"required": _("Write a few words about what you will sell.")},
    )

    def __init__(self, call: CallSite, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site = call.site
        self.fields["days"].choices = [
            (d.isoformat(), format_date(d, "weekday")) for d in open_day_choices(site)
        ]
        types = call.types
        labels = dict(Booth.Type.choices)
        # Each zone by the name its organisers gave it (else «بخش A»); the page adds its words and colour.
        self.site_zones = call.zones
        if self.site_zones:
            self.fields["preferred_zones"].choices = [(z.code, z.name) for z in self.site_zones]
        else:
            del self.fields["preferred_zones"]
        if types:
            self.fields["preferred_types"].choices = [(t, labels[t]) for t in types]
        else:
            del self.fields["preferred_types"]
        self.fields["helpers"].help_text = _("At most %(n)s.") % {
            "n": digits_for_language(str(site.helpers_per_booth))
        }
        self.fields["helpers"].widget.attrs.update({"inputmode": "numeric", "class": "number-small"})

    @property
    def zone_choices(self) -> list[tuple]:
        """(checkbox, SiteZone) pairs, so the page shows each zone's description and colour by its box."""
        if "preferred_zones" not in self.fields:
            return []
        return list(zip(self["preferred_zones"], self.site_zones, strict=True))

    def clean_helpers(self) -> int:
        text = to_ascii_digits(self.cleaned_data["helpers"]).strip() or "0"
        # isdigit() alone also says yes to "²", which int() refuses.
        if not (text.isascii() and text.isdigit()):
            raise forms.ValidationError(
                _("Write the number of helpers as a number, for example 1."), code="invalid"
            )
        helpers = int(text)
        if helpers > self.site.helpers_per_booth:
            raise forms.ValidationError(
                _("This site allows at most %(n)s helpers per booth.")
                % {"n": digits_for_language(str(self.site.helpers_per_booth))},
                code="too_many",
            )
        return helpers

    def clean_products(self) -> str:
        return normalize_multiline(self.cleaned_data["products"])

    def data_for_application(self) -> ApplicationData:
        c = self.cleaned_data
        return ApplicationData(
            days=list(c["days"]),
            needs_power=c["needs_power"],
            needs_water=c["needs_water"],
            needs_accessible=c["needs_accessible"],
            needs_table=c["needs_table"],
            preferred_zones=list(c.get("preferred_zones", [])),
            preferred_types=list(c.get("preferred_types", [])),
            helpers=c["helpers"],
            products=c["products"],
        )

    @classmethod
    def initial_from(cls, application: Application) -> dict:
        return {
            "days": application.days,
            "needs_power": application.needs_power,
            "needs_water": application.needs_water,
            "needs_accessible": application.needs_accessible,
            "needs_table": application.needs_table,
            "preferred_zones": application.preferred_zones,
            "preferred_types": application.preferred_types,
            "helpers": str(application.helpers),
            "products": application.products,
        }


class GroupApplicationForm(ApplicationForm):
    """A support company's manager applies for several members at once, as one group."""

    vendors = forms.MultipleChoiceField(
        label=_("Apply for"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one business to apply for."),
            "invalid_choice": _("You cannot apply for one of the businesses you chose."),
        },
    )

    field_order = ["vendors"]

    def __init__(self, call: CallSite, vendor_choices: list[tuple[str, str]], *args, **kwargs):
        super().__init__(call, *args, **kwargs)
        self.fields["vendors"].choices = vendor_choices
        self.order_fields(["vendors"])


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.none(), required=False)
    group = forms.ModelChoiceField(
        label=_("Category group"), queryset=CategoryGroup.objects.none(), required=False
    )
    need = forms.ChoiceField(label=_("Needs"), required=False)
    priority = forms.TypedChoiceField(label=_("Priority level"), required=False, coerce=int, empty_value=None)

    def __init__(self, site: Site, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["status"].choices = everything + list(Application.Status.choices)
        self.fields["county"].queryset = County.objects.filter(province=site.county.province_id)
        self.fields["county"].empty_label = _("All")
        self.fields["group"].queryset = CategoryGroup.objects.all()
        self.fields["group"].empty_label = _("All")
        need_labels = {
            "power": _("Power"),
            "water": _("Water"),
            "accessible": _("Accessible"),
            "table": _("Table"),
        }
        self.fields["need"].choices = everything + [(k, need_labels[k]) for k in NEED_FIELDS]
        self.fields["priority"].choices = everything + [(str(n), digits_for_language(str(n))) for n in LEVELS]

    def filters(self) -> ReviewFilters:
        if not self.is_valid():
            return ReviewFilters()
        c = self.cleaned_data
        return ReviewFilters(
            status=c["status"],
            county=c["county"].pk if c["county"] else None,
            group=c["group"].pk if c["group"] else None,
            need=c["need"],
            priority=c["priority"],
        )


MAX_PK = 2**63 - 1  # the largest primary key any of our databases can hold


class BulkActionForm(forms.Form):
    ACTIONS = {
        "accept": Application.Status.ACCEPTED,
        "waitlist": Application.Status.WAITLISTED,
        "reject": Application.Status.REJECTED,
    }

    applications = forms.MultipleChoiceField(
        error_messages={"required": _("Tick at least one application first.")},
    )
    action = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("waitlist", _("Waiting list")), ("reject", _("Reject"))],
        error_messages={"required": _("Choose what to do with the ticked applications.")},
    )
    reason = forms.CharField(label=_("Reason (shown to the vendor)"), required=False, max_length=500)

    def __init__(self, site: Site, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        # Checked against the database in clean_applications, so showing the form costs no query.
        self.fields["applications"].valid_value = lambda value: True

    def clean_applications(self) -> list[int]:
        try:
            pks = {int(to_ascii_digits(value)) for value in self.cleaned_data["applications"]}
        except ValueError:
            pks = {-1}
        # A number no primary key can be is not asked of the database, which refuses it (OverflowError).
        in_range = {pk for pk in pks if 0 < pk <= MAX_PK}
        found = set(Application.objects.filter(site=self.site, pk__in=in_range).values_list("pk", flat=True))
        if found != pks:
            raise forms.ValidationError(
                _("One of the ticked applications is not in this site's list any more. Reload the page."),
                code="invalid_choice",
            )
        return sorted(pks)

    def clean_reason(self) -> str:
        return normalize_multiline(self.cleaned_data["reason"])
