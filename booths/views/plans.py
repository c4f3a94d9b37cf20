"""Organiser pages for booth plans: a site's halls, one hall's bulk editor, one booth's form."""

import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language_bidi, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bazaarche.text import digits_for_language, normalize, to_ascii_digits
from booths.models import Booth, Hall
from booths.permissions import sites_in_scope
from booths.plans import (
    EDITABLE_FIELDS,
    MAX_GRID,
    PlanError,
    bulk_update_booths,
    copy_plan,
    draw_hall,
    generate_grid,
)
from events.models import Site
from events.permissions import can_edit_site

HALL_CODE = re.compile(r"[^\W_][\w-]*")
NUMERIC = {"inputmode": "numeric", "dir": "ltr", "autocomplete": "off"}


def _ascii(value):
    return (
        to_ascii_digits(normalize(value)).replace(",", "").replace("٬", "")
        if isinstance(value, str)
        else value
    )


class NumberField(forms.IntegerField):
    """An integer typed with Persian, Arabic or Latin digits (a text box: type=number refuses Persian)."""

    widget = forms.TextInput(attrs=NUMERIC)

    def to_python(self, value):
        return super().to_python(_ascii(value))


class SizeField(forms.DecimalField):
    widget = forms.TextInput(attrs={**NUMERIC, "inputmode": "decimal"})

    def to_python(self, value):
        return super().to_python(_ascii(value).replace("٫", ".") if isinstance(value, str) else value)

    def prepare_value(self, value):
        # 9 rather than 9.00 in the box.
        return f"{value.normalize():f}" if isinstance(value, Decimal) else value


class GridForm(forms.Form):
    rows = NumberField(label=_("Rows of booths"), min_value=1, max_value=MAX_GRID, initial=6)
    cols = NumberField(label=_("Booths in each row"), min_value=1, max_value=MAX_GRID, initial=10)
    code_pattern = forms.CharField(
        label=_("Code pattern"),
        initial="{hall}-{n:02d}",
        max_length=60,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    start = NumberField(label=_("First number"), min_value=0, initial=1)
    aisle_every_cols = NumberField(
        label=_("An aisle after every … columns"),
        min_value=0,
        initial=0,
        help_text=_("0 for no aisles. Booths across an aisle are not neighbours."),
    )
    aisle_every_rows = NumberField(label=_("An aisle after every … rows"), min_value=0, initial=0)
    back_to_back = forms.BooleanField(
        label=_("Rows without an aisle between them stand back to back (they are neighbours)"), required=False
    )
    size_m2 = SizeField(
        label=_("Size of each booth (m²)"), min_value=1, max_digits=6, decimal_places=2, initial=9
    )
    price = NumberField(label=_("Price of each booth (rials)"), min_value=0, initial=0)

    def clean_code_pattern(self) -> str:
        return to_ascii_digits(normalize(self.cleaned_data["code_pattern"]))

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
    size_m2 = SizeField(label=_("Size (m²)"), min_value=1, max_digits=6, decimal_places=2, required=False)
    price = NumberField(label=_("Price (rials)"), min_value=0, required=False)
    has_power = forms.ChoiceField(label=_("Power"), choices=CHANGE, required=False)
    has_water = forms.ChoiceField(label=_("Water"), choices=CHANGE, required=False)
    accessible = forms.ChoiceField(label=_("Accessible"), choices=CHANGE, required=False)
    outdoor = forms.ChoiceField(label=_("Outdoor"), choices=CHANGE, required=False)
    blocked = forms.ChoiceField(label=_("Blocked"), choices=CHANGE, required=False)

    def __init__(self, *args, booths: list[Booth], **kwargs):
        super().__init__(*args, **kwargs)
        rows = sorted({b.row for b in booths})
        self.fields["scope"].choices = [
            ("selected", _("The booths ticked below")),
            ("all", _("All booths of this hall")),
            *((f"row-{r}", gettext("Row %(row)s") % {"row": digits_for_language(str(r))}) for r in rows),
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
        if "scope" in data and not self.changes():
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
    size_m2 = SizeField(label=_("Size (m²)"), min_value=1, max_digits=6, decimal_places=2)
    price = NumberField(label=_("Price (rials)"), min_value=0)

    class Meta:
        model = Booth
        fields = list(EDITABLE_FIELDS)

    def clean_zone(self) -> str:
        return normalize(self.cleaned_data["zone"])


COUNT_LABELS = [
    ("total", _("Booths")),
    *Booth.Type.choices,
    ("has_power", _("Power")),
    ("has_water", _("Water")),
    ("accessible", _("Accessible")),
    ("outdoor", _("Outdoor")),
    ("blocked", _("Blocked")),
]


def _count_list(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(label, counts[key]) for key, label in COUNT_LABELS]


def _editable_site(request, slug: str) -> Site:
    """Sites outside the organiser's scope do not exist for them (404, not 403)."""
    site = get_object_or_404(Site.objects.select_related("county"), slug=slug)
    if not can_edit_site(request.user, site):
        raise Http404
    return site


def _site_page(request, site: Site, *, grid_form=None, copy_form=None, status: int = 200):
    halls = list(
        Hall.objects.filter(site=site)
        .order_by("position", "code")
        .prefetch_related(Prefetch("booths", queryset=Booth.objects.order_by("row", "col", "code")))
    )
    rtl = get_language_bidi()
    drawings = [draw_hall(hall, list(hall.booths.all()), rtl=rtl) for hall in halls]
    for drawing in drawings:
        drawing.count_list = _count_list(drawing.counts)
    context = {
        "site": site,
        "drawings": drawings,
        "grid_form": grid_form or HallGridForm(site=site),
        "copy_form": copy_form or CopyForm(site=site, user=request.user, has_halls=bool(halls)),
        "has_halls": bool(halls),
        "rtl": rtl,
    }
    return render(request, "booths/plans/site.html", context, status=status)


@login_required
def site_plan(request, slug: str):
    site = _editable_site(request, slug)
    if request.method != "POST":
        return _site_page(request, site)
    form = HallGridForm(request.POST, site=site)
    if form.is_valid():
        try:
            with transaction.atomic():
                hall = Hall.objects.create(
                    site=site,
                    code=form.cleaned_data["code"],
                    name_fa=form.cleaned_data["name_fa"],
                    name_en=form.cleaned_data["name_en"],
                    position=Hall.objects.filter(site=site).count(),
                )
                booths = form.generate(hall)
        except PlanError as error:
            form.add_plan_error(error)
        else:
            messages.success(
                request,
                ngettext(
                    "Hall %(code)s added with %(count)s booth.",
                    "Hall %(code)s added with %(count)s booths.",
                    len(booths),
                )
                % {"code": hall.code, "count": digits_for_language(str(len(booths)))},
            )
            return redirect("plan-hall", slug=site.slug, code=hall.code)
    return _site_page(request, site, grid_form=form, status=400)


@login_required
@require_POST
def copy_site_plan(request, slug: str):
    site = _editable_site(request, slug)
    has_halls = Hall.objects.filter(site=site).exists()
    form = CopyForm(request.POST, site=site, user=request.user, has_halls=has_halls)
    if form.is_valid():
        try:
            halls = copy_plan(form.cleaned_data["source"], site)
        except PlanError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                ngettext("%(count)s hall copied.", "%(count)s halls copied.", len(halls))
                % {"count": digits_for_language(str(len(halls)))},
            )
            return redirect("plan-site", slug=site.slug)
    return _site_page(request, site, copy_form=form, status=400)


def _hall_page(
    request, site: Site, hall: Hall, booths: list[Booth], *, bulk_form=None, grid_form=None, status=200
):
    drawing = draw_hall(hall, booths, rtl=get_language_bidi())
    context = {
        "site": site,
        "hall": hall,
        "drawing": drawing,
        "count_list": _count_list(drawing.counts),
        "rtl": get_language_bidi(),
        "booths": booths,
        "bulk_form": bulk_form or BulkEditForm(booths=booths, initial={"scope": "selected"}),
        "grid_form": grid_form
        or GridForm(
            initial={"rows": len({b.row for b in booths}) or 1, "cols": len({b.col for b in booths}) or 1}
        ),
        "selected": set(bulk_form.data.getlist("booths")) if bulk_form is not None else set(),
    }
    return render(request, "booths/plans/hall.html", context, status=status)


def _hall(site: Site, code: str) -> tuple[Hall, list[Booth]]:
    hall = get_object_or_404(Hall, site=site, code=code)
    return hall, list(Booth.objects.filter(hall=hall).order_by("row", "col", "code"))


@login_required
def hall_plan(request, slug: str, code: str):
    site = _editable_site(request, slug)
    hall, booths = _hall(site, code)
    if request.method != "POST":
        return _hall_page(request, site, hall, booths)
    form = BulkEditForm(request.POST, booths=booths)
    if form.is_valid():
        try:
            count = bulk_update_booths(form.target(hall), form.changes())
        except PlanError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                ngettext("%(count)s booth updated.", "%(count)s booths updated.", count)
                % {"count": digits_for_language(str(count))},
            )
            return redirect("plan-hall", slug=site.slug, code=hall.code)
    return _hall_page(request, site, hall, booths, bulk_form=form, status=400)


@login_required
@require_POST
def regenerate_hall(request, slug: str, code: str):
    site = _editable_site(request, slug)
    hall, booths = _hall(site, code)
    form = GridForm(request.POST)
    if form.is_valid():
        try:
            booths = form.generate(hall)
        except PlanError as error:
            form.add_plan_error(error)
        else:
            messages.success(
                request,
                ngettext(
                    "The grid was regenerated with %(count)s booth.",
                    "The grid was regenerated with %(count)s booths.",
                    len(booths),
                )
                % {"count": digits_for_language(str(len(booths)))},
            )
            return redirect("plan-hall", slug=site.slug, code=hall.code)
    return _hall_page(request, site, hall, booths, grid_form=form, status=400)


@login_required
def booth_edit(request, pk: int):
    booth = get_object_or_404(Booth.objects.select_related("hall__site__county"), pk=pk)
    site = booth.hall.site
    if not can_edit_site(request.user, site):
        raise Http404
    form = BoothForm(request.POST or None, instance=booth)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Booth %(code)s saved.") % {"code": booth.code})
        return redirect("plan-hall", slug=site.slug, code=booth.hall.code)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "booths/plans/booth.html", {"booth": booth, "site": site, "form": form}, status=status
    )
