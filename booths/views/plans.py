"""Organiser pages for booth plans: a site's halls, one hall's bulk editor, one booth's form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language_bidi, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bazaarche.text import digits_for_language
from booths.models import Booth, Hall, Zone
from booths.plans import zones
from booths.plans.drawing import draw_hall
from booths.plans.forms import BoothForm, BulkEditForm, CopyForm, GridForm, HallGridForm, ZoneForm
from booths.plans.grid import (
    PlanError,
    bulk_update_booths,
    copy_plan,
    grid_settings,
    line_numbers,
)
from events.models import Site
from events.permissions import can_edit_site

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
    row_number = line_numbers(b.row for b in booths)
    for booth in booths:
        booth.row_number = row_number[booth.row]
    context = {
        "site": site,
        "hall": hall,
        "drawing": drawing,
        "count_list": _count_list(drawing.counts),
        "rtl": get_language_bidi(),
        "booths": booths,
        "bulk_form": bulk_form or BulkEditForm(booths=booths, initial={"scope": "selected"}),
        "grid_form": grid_form or GridForm(initial=grid_settings(hall, booths)),
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
    # Not `request.POST or None`: an empty post is still a post, and its form says what is missing.
    form = BoothForm(request.POST if request.method == "POST" else None, instance=booth)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Booth %(code)s saved.") % {"code": booth.code})
        return redirect("plan-hall", slug=site.slug, code=booth.hall.code)
    status = 400 if request.method == "POST" else 200
    # Counted as people count them, without the aisles.
    places = Booth.objects.filter(hall=booth.hall).values_list("row", "col")
    position = {
        "row": line_numbers(row for row, _col in places)[booth.row],
        "col": line_numbers(col for _row, col in places)[booth.col],
    }
    context = {"booth": booth, "site": site, "form": form, "position": position}
    return render(request, "booths/plans/booth.html", context, status=status)


@login_required
def site_zones(request, slug: str):
    """The zones of the site's booths, each with a form for its name and description, beside the plan by zone."""
    site = _editable_site(request, slug)
    bound = None
    status = 200
    if request.method == "POST":
        code = request.POST.get("code", "")
        codes = {zone.code for zone in zones.site_zones(site, bookable_only=False)}
        if code not in codes:
            messages.error(
                request, gettext("No booth of this site is in that zone any more. Reload the page.")
            )
            return redirect("plan-zones", slug=site.slug)
        zone = Zone.objects.filter(site=site, code=code).first() or Zone(site=site, code=code)
        bound = ZoneForm(request.POST, instance=zone)
        if bound.is_valid():
            bound.save()
            messages.success(request, gettext("Zone %(code)s saved.") % {"code": code})
            return redirect("plan-zones", slug=site.slug)
        status = 400
    return _zones_page(request, site, bound, status)


def _zones_page(request, site: Site, bound, status: int):
    found = zones.site_zones(site, bookable_only=False)
    saved = {z.code: z for z in Zone.objects.filter(site=site)}
    rows = []
    for n, zone in enumerate(found):
        if bound is not None and bound.instance.code == zone.code:
            form = bound
        else:
            form = ZoneForm(instance=saved.get(zone.code) or Zone(site=site, code=zone.code))
        form.auto_id = f"zone{n}-%s"  # one form per zone on the page: ids must not repeat
        rows.append((zone, form))
    rtl = get_language_bidi()
    context = {
        "site": site,
        "rows": rows,
        "zone_plan": zones.zone_plan(site, found, rtl=rtl),
        "rtl": rtl,
    }
    return render(request, "booths/plans/zones.html", context, status=status)
