"""Forms of the booth-plan pages: the grid generator, copying a plan, bulk and single booth edits, a zone's
name and words.

Numbers arrive with Persian, Arabic or Latin digits, so number boxes are text boxes that normalise.
"""

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bazaarche.fields import DecimalNumberField, NumberField
from bazaarche.text import digits_for_language, normalize, to_ascii_digits
from booths.models import Booth, Hall, Zone
from booths.permissions import sites_in_scope
from booths.plans.grid import (
    EDITABLE_FIELDS,
    MAX_FIRST_NUMBER,
    MAX_GRID,
    MAX_PRICE,
    MAX_SIZE_M2,
    PlanError,
    clean_pattern,
    generate_grid,
    line_numbers,
)
from events.models import Site

HALL_CODE = re.compile(r"[^\W_][\w-]*")


class GridForm(forms.Form):
    rows = NumberField(label=_("Rows of booths"), min_value=1, max_value=MAX_GRID, initial=6)
    cols = NumberField(label=_("Booths in each row"), min_value=1, max_value=MAX_GRID, initial=10)
    code_pattern = forms.CharField(
        label=_("Code pattern"),
        initial="{hall}-{n:02d}",
        max_length=60,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    start = NumberField(label=_("First number"), min_value=0, max_value=MAX_FIRST_NUMBER, initial=1)
    aisle_every_cols = NumberField(
        label=_("An aisle after every … columns"),
        min_value=0,
        max_value=MAX_GRID,
        initial=0,
        help_text=_("0 for no aisles. Booths across an aisle are not neighbours."),
    )
    aisle_every_rows = NumberField(
        label=_("An aisle after every … rows"), min_value=0, max_value=MAX_GRID, initial=0
    )
    back_to_back = forms.BooleanField(
        label=_("Rows without an aisle between them stand back to back (they are neighbours)"), required=False
    )
    size_m2 = DecimalNumberField(
        label=_("Size of each booth (m²)"),
        min_value=1,
        max_value=MAX_SIZE_M2,
        max_digits=6,
        decimal_places=2,
        initial=9,
    )
    price = NumberField(label=_("Price of each booth (rials)"), min_value=0, max_value=MAX_PRICE, initial=0)

    def clean_code_pattern(self) -> str:
        # Refused here, before any booth code is made (a width can cost hundreds of megabytes).
        try:
            return clean_pattern(self.cleaned_data["code_pattern"])
        except PlanError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def generate(self, hall: Hall) -> list[Booth]:
        data = self.cleaned_data
        return generate_grid(
            hall,
            data["rows"],
            data["cols"],
            code_pattern=data["code_pattern"],
            aisle_every_cols=data["aisle_every_cols"],
            aisle_every_rows=data["aisle_every_rows"],
            start=data["start"],
            back_to_back=data["back_to_back"],
            defaults={"size_m2": data["size_m2"], "price": data["price"]},
        )

    def add_plan_error(self, error: PlanError) -> None:
        self.add_error("code_pattern" if error.code.startswith("pattern") else None, error.message)


class HallGridForm(GridForm):
    code = forms.CharField(
        label=_("Hall code"),
        max_length=10,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
        help_text=_("Short, in Latin letters or digits, for example A. It starts every booth code."),
    )
    name_fa = forms.CharField(label=_("Persian name"), max_length=150)
    name_en = forms.CharField(label=_("English name"), max_length=150, required=False)
    field_order = ["code", "name_fa", "name_en"]

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

    def clean_code(self) -> str:
        code = to_ascii_digits(normalize(self.cleaned_data["code"])).replace(" ", "")
        # The code is part of the hall's address and of every booth code; "copy" is a page of its own.
        if not HALL_CODE.fullmatch(code) or code.lower() in {"copy"}:
            raise forms.ValidationError(
                _("Use only letters, digits and hyphens in the hall code, for example A or B2."),
                code="format",
            )
        if Hall.objects.filter(site=self.site, code=code).exists():
            raise forms.ValidationError(
                _(
                    "This site already has a hall %(code)s. Choose another code, or regenerate that hall on its page."
                ),
                params={"code": code},
            )
        return code

    def clean_name_fa(self) -> str:
        return normalize(self.cleaned_data["name_fa"])

    def clean_name_en(self) -> str:
        return normalize(self.cleaned_data["name_en"])


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return f"{obj.title} ({obj.county.name})"


class CopyForm(forms.Form):
    source = SiteChoiceField(
        label=_("Copy the plan of"), queryset=Site.objects.none(), empty_label=_("Choose a site")
    )
    confirm = forms.BooleanField(label=_("Yes, replace this site's halls and booths"), required=False)

    def __init__(self, *args, site: Site, user, has_halls: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.has_halls = has_halls
        self.fields["source"].queryset = (
            sites_in_scope(user).exclude(pk=site.pk).select_related("county").order_by("-start_date", "pk")
        )
        # Read the choices once: the page both asks whether there are any and lists them.
        # A comprehension, not list(): list() asks len() first, which is one more (COUNT) query.
        self.fields["source"].choices = [choice for choice in self.fields["source"].choices]
        self.has_sources = len(self.fields["source"].choices) > 1

    def clean(self):
        data = super().clean()
        if self.has_halls and not data.get("confirm"):
            self.add_error(
                "confirm", _("This site already has a plan. Tick the box to confirm that it is replaced.")
            )
        return data


CHANGE = [("", _("No change")), ("yes", _("Yes")), ("no", _("No"))]
FLAGS = ("has_power", "has_water", "accessible", "outdoor", "blocked")


class BulkEditForm(forms.Form):
    scope = forms.ChoiceField(label=_("Apply to"))
    booths = forms.MultipleChoiceField(required=False)
    type = forms.ChoiceField(label=_("Type"), required=False)
    zone = forms.CharField(label=_("Zone"), max_length=20, required=False)
    size_m2 = DecimalNumberField(
        label=_("Size (m²)"),
        min_value=1,
        max_value=MAX_SIZE_M2,
        max_digits=6,
        decimal_places=2,
        required=False,
    )
    price = NumberField(label=_("Price (rials)"), min_value=0, max_value=MAX_PRICE, required=False)
    has_power = forms.ChoiceField(label=_("Power"), choices=CHANGE, required=False)
    has_water = forms.ChoiceField(label=_("Water"), choices=CHANGE, required=False)
    accessible = forms.ChoiceField(label=_("Accessible"), choices=CHANGE, required=False)
    outdoor = forms.ChoiceField(label=_("Outdoor"), choices=CHANGE, required=False)
    blocked = forms.ChoiceField(label=_("Blocked"), choices=CHANGE, required=False)

    def __init__(self, *args, booths: list[Booth], **kwargs):
        super().__init__(*args, **kwargs)
        # The value is the grid row; the label counts rows without the aisles between them.
        rows = line_numbers(b.row for b in booths)
        self.fields["scope"].choices = [
            ("selected", _("The booths ticked below")),
            ("all", _("All booths of this hall")),
            *(
                (f"row-{r}", gettext("Row %(row)s") % {"row": digits_for_language(str(n))})
                for r, n in rows.items()
            ),
        ]
        self.fields["booths"].choices = [(str(b.pk), b.code) for b in booths]
        self.fields["type"].choices = [("", _("No change")), *Booth.Type.choices]

    def clean_zone(self) -> str:
        return normalize(self.cleaned_data["zone"])

    def clean(self):
        data = super().clean()
        if data.get("scope") == "selected" and not data.get("booths"):
            raise forms.ValidationError(
                _("Tick at least one booth in the list, or apply the change to all booths or to a row.")
            )
        # A number refused above is a change asked for: "choose something to change" would mislead.
        if "scope" in data and not self.errors and not self.changes():
            raise forms.ValidationError(_("Choose at least one thing to change."))
        return data

    def changes(self) -> dict:
        data = self.cleaned_data
        changes = {name: data[name] for name in ("type", "zone") if data.get(name)}
        changes |= {name: data[name] for name in ("size_m2", "price") if data.get(name) is not None}
        changes |= {name: data[name] == "yes" for name in FLAGS if data.get(name)}
        return changes

    def target(self, hall: Hall):
        scope = self.cleaned_data["scope"]
        booths = Booth.objects.filter(hall=hall)
        if scope == "all":
            return booths
        if scope.startswith("row-"):
            return booths.filter(row=int(scope.removeprefix("row-")))
        return booths.filter(pk__in=self.cleaned_data["booths"])


class BoothForm(forms.ModelForm):
    size_m2 = DecimalNumberField(
        label=_("Size (m²)"), min_value=1, max_value=MAX_SIZE_M2, max_digits=6, decimal_places=2
    )
    price = NumberField(label=_("Price (rials)"), min_value=0, max_value=MAX_PRICE)

    class Meta:
        model = Booth
        fields = list(EDITABLE_FIELDS)

    def clean_zone(self) -> str:
        return normalize(self.cleaned_data["zone"])


class ZoneForm(forms.ModelForm):
    """What the organisers say of one zone of a site; a vendor reads it beside the zone on the apply form."""

    class Meta:
        model = Zone
        fields = ["name_fa", "name_en", "description_fa", "description_en"]
        widgets = {
            "name_fa": forms.TextInput(attrs={"dir": "rtl"}),
            "name_en": forms.TextInput(attrs={"dir": "ltr"}),
            "description_fa": forms.Textarea(attrs={"rows": 2, "dir": "rtl"}),
            "description_en": forms.Textarea(attrs={"rows": 2, "dir": "ltr"}),
        }
        help_texts = {
            "name_fa": _("For example: Near the main entrance. Left empty, the zone is called “Zone A”."),
            "description_fa": _(
                "A line on what is there: shade, power, the food court, the children's corner…"
            ),
        }

    def clean(self):
        data = super().clean()
        for name in self.Meta.fields:
            if isinstance(data.get(name), str):
                data[name] = normalize(data[name])
        return data
