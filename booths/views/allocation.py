"""The organiser's allocation page (run, floor plan, move, swap, pin, publish) and the public lottery page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_bidi, gettext
from django.views.decorators.http import require_POST

from bazaarche.text import digits_for_language
from bazaarche.validators import parse_pk
from booths.allocation.adapter import STALLED_AFTER, active_run, booth_key, start_run
from booths.allocation.edits import EditError, Waiver, move, pin, swap, unpin
from booths.allocation.engine import Placement, Refusal
from booths.allocation.instance import ORGANISER, canonical_instance, placement_reason, refusal_reason
from booths.allocation.offers import LET_GO, OfferError, days_text, latest_run, publish, published_run
from booths.allocation.public import drawn_runs, lottery_order, published_lottery
from booths.models import AllocationRun, Application, Assignment, Booth, Hall, Offer
from booths.permissions import can_allocate, can_download_lottery_input, can_view_lottery
from booths.plans.drawing import draw_hall
from booths.plans.labels import booth_label, quota_group_name
from events.models import Site
from vendors.models import CategoryGroup

# Pastel fills, one per category group, in the groups' id order; the text on them stays dark.
PALETTE = (
    "#fde68a",
    "#bbf7d0",
    "#bfdbfe",
    "#fbcfe8",
    "#ddd6fe",
    "#fed7aa",
    "#a5f3fc",
    "#d9f99d",
    "#fecaca",
    "#c7d2fe",
    "#e9d5ff",
    "#99f6e4",
)
EMPTY_FILL = "#ffffff"
# The list of applications without a booth shows this many unless the organiser asks for all.
UNPLACED_SHOWN = 50
# A booth as typed ("HALL/CODE"); a longer text names no booth, and it is kept after a refusal.
MAX_BOOTH_TEXT = 40


def _site_for(request, slug: str) -> Site:
    """Sites outside the organiser's scope do not exist for them (404, not 403)."""
    site = get_object_or_404(Site.objects.select_related("county", "exhibition"), slug=slug)
    if not can_allocate(request.user, site):
        raise Http404
    return site


def _placement_text(run: AllocationRun | None, application: Application, booth: Booth) -> str:
    if application.pinned_booth_id == booth.pk:
        return gettext("The organiser chose this booth.")
    data = (run.placements if run else {}).get(f"app-{application.pk}")
    if data and data["booth"] == booth_key(booth):
        try:
            placement = Placement(
                f"app-{application.pk}", data["booth"], tuple(data["days"]), data["code"], data["facts"]
            )
            return digits_for_language(placement_reason(placement, reader=ORGANISER))
        except (KeyError, TypeError, ValueError):
            pass
    return gettext("Placed after the allocation (by the organiser or from the waiting list).")


def _placement_code(run: AllocationRun | None, application: Application, booth: Booth) -> str:
    if application.pinned_booth_id == booth.pk:
        return "pinned"
    data = (run.placements if run else {}).get(f"app-{application.pk}")
    return data["code"] if data and data["booth"] == booth_key(booth) else "after_run"


def _refusal_text(
    run: AllocationRun | None, application: Application, let_go: dict[int, str]
) -> tuple[str, str]:
    """(code, reason) for an accepted application without a booth."""
    if application.pk in let_go:
        status = let_go[application.pk]
        if status == Offer.Status.EXPIRED:
            return "expired", gettext("Did not confirm the offered booth in time.")
        return "declined", gettext("Declined the offered booth.")
    data = (run.refusals if run else {}).get(f"app-{application.pk}")
    if data:
        try:
            refusal = Refusal(f"app-{application.pk}", data["code"], data["facts"])
            return data["code"], digits_for_language(
                refusal_reason(refusal, reader=ORGANISER, group_name=quota_group_name(refusal))
            )
        except (KeyError, TypeError, ValueError):
            return data["code"], gettext("No suitable booth was free on its days.")
    if run is None:
        return "not_run", gettext("The allocation has not been run yet.")
    return "after_run", gettext("Accepted after the last run, or moved off its booth: run again or place it.")


@dataclass
class Occupant:
    application: Application
    booth: Booth
    dates: list
    offer: Offer | None
    days: str = ""
    reason: str = ""
    code: str = ""


@dataclass
class BoothView:
    booth: Booth
    occupants: list[Occupant] = field(default_factory=list)
    fill: str = EMPTY_FILL


def _page_context(request, site: Site, selected: int | None) -> dict:
    run = latest_run(site, defer_instance=True)
    show_all = request.GET.get("unplaced") == "all"
    groups = list(CategoryGroup.objects.order_by("pk"))
    colour = {g.pk: PALETTE[n % len(PALETTE)] for n, g in enumerate(groups)}
    halls = list(
        Hall.objects.filter(site=site)
        .order_by("position", "code")
        .prefetch_related(Prefetch("booths", queryset=Booth.objects.order_by("row", "col", "code")))
    )
    rows = list(
        Assignment.objects.filter(booth__hall__site=site)
        .select_related("application__vendor__category", "application__vendor__county", "offer")
        .order_by("date", "pk")
    )
    booth_by_pk = {b.pk: b for hall in halls for b in hall.booths.all()}
    for hall in halls:
        for b in hall.booths.all():
            b.hall = hall  # the label needs the hall code; no query per booth
    views = {pk: BoothView(b) for pk, b in booth_by_pk.items()}
    occupant_of: dict[tuple[int, int], Occupant] = {}
    placed_apps: set[int] = set()
    for row in rows:
        view = views.get(row.booth_id)
        if view is None:
            continue
        key = (row.booth_id, row.application_id)
        if key not in occupant_of:
            occupant_of[key] = Occupant(row.application, view.booth, [], row.offer)
            view.occupants.append(occupant_of[key])
        occupant_of[key].dates.append(row.date)
        placed_apps.add(row.application_id)
    used_groups: set[int] = set()
    for view in views.values():
        if view.occupants:
            lead = max(view.occupants, key=lambda o: len(o.dates))
            group_id = lead.application.vendor.category.group_id
            view.fill = colour.get(group_id, EMPTY_FILL)
            used_groups.add(group_id)
        for occupant in view.occupants:
            occupant.days = days_text(occupant.dates)
            occupant.reason = _placement_text(run, occupant.application, view.booth)
            occupant.code = _placement_code(run, occupant.application, view.booth)
    rtl = get_language_bidi()
    drawings = []
    for hall in halls:
        drawing = draw_hall(hall, list(hall.booths.all()), rtl=rtl)
        for shape in drawing.shapes:
            view = views[shape.booth.pk]
            shape.view = view
            if not shape.booth.blocked:
                shape.fill = view.fill
            shape.selected = shape.booth.pk == selected
        drawings.append(drawing)
    let_go = dict(
        Offer.objects.filter(application__site=site, status__in=LET_GO).values_list(
            "application_id", "status"
        )
    )
    # Order all unplaced applications by (priority, lottery) from two columns, then load the shown ones.
    position = {app_id: n for n, app_id in enumerate(run.lottery)} if run else {}
    waiting = [
        (pk in let_go, -priority, position.get(f"app-{pk}", len(position)), pk)
        for pk, priority in Application.objects.filter(site=site, status=Application.Status.ACCEPTED)
        .exclude(pk__in=Assignment.objects.filter(booth__hall__site=site).values("application_id"))
        .values_list("pk", "priority")
    ]
    waiting.sort()
    unplaced_total = len(waiting)
    shown = [key[-1] for key in (waiting if show_all else waiting[:UNPLACED_SHOWN])]
    loaded = Application.objects.filter(pk__in=shown).select_related("vendor__category", "vendor__county")
    by_pk = {a.pk: a for a in loaded}
    unplaced = [by_pk[pk] for pk in shown if pk in by_pk]
    for application in unplaced:
        application.lottery_position = position.get(f"app-{application.pk}")
        application.refusal_code, application.refusal_reason = _refusal_text(run, application, let_go)
        application.days_text = days_text(application.days)
    offers = Offer.objects.filter(application__site=site).aggregate(
        **{s: Count("pk", filter=Q(status=s)) for s in Offer.Status.values}
    )
    unoffered = len({o.application.pk for o in occupant_of.values() if o.offer is None})
    return {
        "site": site,
        "run": run,
        "published": published_run(site) if run is None or run.published_at is None else run,
        "drawings": drawings,
        "legend": [(g, colour[g.pk]) for g in groups if g.pk in used_groups],
        "selected": views.get(selected) if selected else None,
        "unplaced": unplaced,
        "unplaced_total": unplaced_total,
        # What the move form takes (HALL/CODE), with the booth's name to choose by.
        "booth_labels": [
            (booth_key(b), booth_label(b, len(halls) == 1)) for b in booth_by_pk.values() if not b.blocked
        ],
        "one_hall": len(halls) == 1,
        "offers": offers,
        "unoffered": unoffered,
        "placed_count": len(placed_apps),
        "rtl": rtl,
        "running": _is_running(run),
    }


def _is_running(run: AllocationRun | None) -> bool:
    """Queued or running, and not stalled (a stalled run is marked failed by the next run)."""
    busy = (AllocationRun.Status.QUEUED, AllocationRun.Status.RUNNING)
    return run is not None and run.status in busy and run.created_at >= timezone.now() - STALLED_AFTER


def _selected(request) -> int | None:
    return parse_pk(request.GET.get("booth") or request.POST.get("selected") or "")


@login_required
def allocation_page(request, slug: str):
    site = _site_for(request, slug)
    context = _page_context(request, site, _selected(request))
    _pop_refusal(request, site, context)
    if request.htmx and request.GET.get("booth"):
        return render(request, "booths/allocation/site.html#detail", context)
    return render(request, "booths/allocation/site.html", context)


@login_required
def allocation_progress(request, slug: str):
    site = _site_for(request, slug)
    run = latest_run(site)
    running = _is_running(run)
    if request.htmx and not running:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # the result is ready: show the whole page
        return response
    if not request.htmx:
        return redirect("allocation-site", slug=site.slug)
    return render(
        request, "booths/allocation/site.html#progress", {"site": site, "run": run, "running": running}
    )


@login_required
@require_POST
def allocation_run(request, slug: str):
    """Run the allocation. No seed is taken from the form: the run draws it after it has recorded its
    commitment to the instance."""
    site = _site_for(request, slug)
    if active_run(site) is not None:
        messages.error(
            request, gettext("An allocation of this site is already running; wait for it to finish.")
        )
        return redirect("allocation-site", slug=site.slug)
    run = start_run(site, by=request.user)
    if run.status == AllocationRun.Status.DONE:
        messages.success(
            request,
            digits_for_language(
                gettext("Allocated with seed %(seed)s: %(placed)s placed, %(unplaced)s without a booth.")
                % {"seed": run.seed, "placed": run.summary["placed"], "unplaced": run.summary["unplaced"]}
            ),
        )
    elif run.status == AllocationRun.Status.FAILED:
        messages.error(request, gettext("The allocation failed; nothing was changed. Try again."))
    return redirect("allocation-site", slug=site.slug)


@login_required
@require_POST
def allocation_publish(request, slug: str):
    site = _site_for(request, slug)
    run = latest_run(site)
    if run is None:
        messages.error(request, gettext("Run the allocation before publishing it."))
        return redirect("allocation-site", slug=site.slug)
    try:
        offers = publish(run, request.user)
    except OfferError as error:
        messages.error(request, error.message)
        return redirect("allocation-site", slug=site.slug)
    messages.success(
        request,
        digits_for_language(gettext("Published: offers went to %(count)s vendors.") % {"count": len(offers)}),
    )
    return redirect("allocation-site", slug=site.slug)


@login_required
@require_POST
def allocation_edit(request, slug: str):
    """Move, swap, pin or unpin, then back to the plan at its own address, whatever the outcome."""
    site = _site_for(request, slug)
    action = request.POST.get("action", "")
    app_text = request.POST.get("application", "")
    booth_text = request.POST.get("booth", "")[:MAX_BOOTH_TEXT]
    selected = _selected(request)
    application_id = parse_pk(app_text)
    if application_id is None or action not in ("move", "swap", "pin", "unpin"):
        refusal = EditError("no_action", gettext("Choose an application and an action."))
        return _edit_refused(request, site, selected, refusal)
    # A need set aside for this change: the form offered after a refusal for a need alone.
    waiver = Waiver(request.POST.get("reason", ""), request.user) if request.POST.get("override") else None
    try:
        if action == "move":
            booth = move(site, application_id, booth_text, waiver=waiver)
            selected = booth.pk
            messages.success(
                request, gettext("Moved to %(booth)s and pinned there.") % {"booth": booth_label(booth)}
            )
        elif action == "swap":
            other = swap(site, application_id, booth_text, waiver=waiver)
            if other is None:
                messages.success(request, gettext("Nobody was on that booth: moved there and pinned."))
            else:
                messages.success(
                    request,
                    gettext("Swapped with %(vendor)s; both are pinned.")
                    % {"vendor": other.vendor.business_name},
                )
        elif action == "pin":
            booth = pin(site, application_id)
            messages.success(
                request,
                gettext("Pinned to %(booth)s: a re-run keeps it there.") % {"booth": booth_label(booth)},
            )
        else:
            unpin(site, application_id)
            messages.success(request, gettext("Unpinned: a re-run may move it."))
    except EditError as error:
        return _edit_refused(request, site, selected, error, application_id, action, booth_text)
    if waiver is not None:
        messages.info(request, gettext("The need set aside and the reason are in the application's history."))
    url = reverse("allocation-site", args=[site.slug])
    if selected:
        url += f"?booth={selected}#booth-detail"
    return redirect(url)


def _refusal_key(site: Site) -> str:
    return f"allocation-refusal-{site.pk}"


def _edit_refused(
    request,
    site: Site,
    selected: int | None,
    error: EditError,
    application_id: int | None = None,
    action: str = "",
    booth_text: str = "",
):
    """Back to the plan, where the refusal shows once beside the form that asked; nothing changed.

    The refusal waits in the session for the next view of the plan (like a message, but shown in
    its place: the booth's panel, or the application's line in the list without a booth). A refusal
    for a need alone comes with a form to make the change anyway, with a reason.
    """
    request.session[_refusal_key(site)] = {
        "message": error.message,
        "code": error.code,
        "soft": error.soft and action in ("move", "swap"),
        "application": application_id,
        "action": action,
        "booth": booth_text.strip(),
        "selected": selected,
    }
    url = reverse("allocation-site", args=[site.slug])
    if selected:
        return redirect(f"{url}?booth={selected}#booth-detail")
    return redirect(f"{url}#unplaced-{application_id}" if application_id else url)


def _pop_refusal(request, site: Site, context: dict) -> None:
    """Put a waiting refusal in the page, once: in the list without a booth when it came from there
    and the application is listed, otherwise in the booth's panel."""
    refusal = request.session.pop(_refusal_key(site), None)
    if not isinstance(refusal, dict):
        return
    listed = {a.pk for a in context["unplaced"]}
    from_list = not refusal.get("selected") and refusal.get("application") in listed
    refusal["where"] = "unplaced" if from_list else "detail"
    context["refusal"] = refusal


# --- the public lottery ------------------------------------------------------------------------


def lottery_page(request, slug: str):
    """The published lottery without private facts: seed, commitment, tickets in order, every run drawn."""
    site = get_object_or_404(Site.objects.select_related("exhibition", "county"), slug=slug)
    if not can_view_lottery(request.user, site):
        raise Http404
    run = published_lottery(site)
    if run is None:
        raise Http404
    context = {"site": site, "run": run, "order": lottery_order(run), "runs": drawn_runs(site)}
    return render(request, "booths/allocation/lottery.html", context)


def lottery_instance(request, slug: str):
    """A run's instance in its canonical form, for the site's organisers only (it holds priorities and
    needs): the published run's, or ?run=<pk>'s. `sha256sum` of it is the run's commitment."""
    site = get_object_or_404(Site, slug=slug)
    if not can_download_lottery_input(request.user, site):
        raise Http404
    runs = AllocationRun.objects.filter(site=site, status=AllocationRun.Status.DONE).only(
        "pk", "instance", "published_at", "created_at"
    )
    wanted = request.GET.get("run", "")
    if wanted:
        pk = parse_pk(wanted)
        run = runs.filter(pk=pk).first() if pk is not None else None
    else:
        run = runs.filter(published_at__isnull=False).order_by("-published_at", "-pk").first()
        run = run or runs.order_by("-created_at", "-pk").first()
    if run is None or not run.instance:
        raise Http404
    response = HttpResponse(canonical_instance(run.instance), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{site.slug}-run-{run.pk}-instance.json"'
    response["Cache-Control"] = "private, no-store"
    return response
