"""The organiser's allocation board: a site's halls drawn with who holds each booth and why, and the
accepted applications still without a booth, with the reason the run gave.

It reads the site in a fixed number of queries whatever its size (a large site has thousands of
booth-days): the booths with their occupants, the offers, then the list without a booth, which is
ordered from two columns and loads only the applications it shows. That list is in the waiting
list's own order (`WaitingOrder`), with the applications that let an offer go after the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext

from bazaarche.text import digits_for_language
from booths.models import AllocationRun, Application, Assignment, Booth, Hall, Offer
from booths.plans.drawing import HallDrawing, draw_hall
from booths.plans.labels import booth_label, quota_group_name
from events.models import Site
from vendors.models import CategoryGroup

from .adapter import STALLED_AFTER
from .ids import application_id, booth_key
from .instance import ORGANISER, placement_reason, refusal_reason
from .notices import days_text
from .runs import latest_run, placement_from, published_run, refusal_from
from .waitlist import LET_GO, WaitingOrder

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


def allocation_board(site: Site, selected: int | None, show_all: bool, rtl: bool) -> dict:
    """Everything the allocation page shows of the site, by the names its template reads."""
    run = latest_run(site, defer_instance=True)
    groups = list(CategoryGroup.objects.order_by("pk"))
    colour = {g.pk: PALETTE[n % len(PALETTE)] for n, g in enumerate(groups)}
    halls = _halls(site)
    booths = {b.pk: b for hall in halls for b in hall.booths.all()}
    views = {pk: BoothView(b) for pk, b in booths.items()}
    occupants = _seat_occupants(site, views)
    used_groups = _describe_booths(views, run, colour)
    unplaced, unplaced_total = _unplaced(site, run, show_all)
    return {
        "site": site,
        "run": run,
        "published": published_run(site) if run is None or run.published_at is None else run,
        "drawings": _drawings(halls, views, selected, rtl),
        "legend": [(g, colour[g.pk]) for g in groups if g.pk in used_groups],
        "selected": views.get(selected) if selected else None,
        "unplaced": unplaced,
        "unplaced_total": unplaced_total,
        # What the move form takes (HALL/CODE), with the booth's name to choose by.
        "booth_labels": [
            (booth_key(b), booth_label(b, len(halls) == 1)) for b in booths.values() if not b.blocked
        ],
        "one_hall": len(halls) == 1,
        "offers": Offer.objects.filter(application__site=site).aggregate(
            **{s: Count("pk", filter=Q(status=s)) for s in Offer.Status.values}
        ),
        "unoffered": len({o.application.pk for o in occupants if o.offer is None}),
        "placed_count": len({o.application.pk for o in occupants}),
        "rtl": rtl,
        "running": is_running(run),
    }


def is_running(run: AllocationRun | None) -> bool:
    """Queued or running, and not stalled (a stalled run is marked failed by the next run)."""
    busy = (AllocationRun.Status.QUEUED, AllocationRun.Status.RUNNING)
    return run is not None and run.status in busy and run.created_at >= timezone.now() - STALLED_AFTER


def _halls(site: Site) -> list[Hall]:
    """The site's halls in order with their booths; each booth knows its hall without a query."""
    halls = list(
        Hall.objects.filter(site=site)
        .order_by("position", "code")
        .prefetch_related(Prefetch("booths", queryset=Booth.objects.order_by("row", "col", "code")))
    )
    for hall in halls:
        for b in hall.booths.all():
            b.hall = hall  # the label needs the hall code
    return halls


def _seat_occupants(site: Site, views: dict[int, BoothView]) -> list[Occupant]:
    """Each application on a booth, once per booth with the dates it holds there, in date order."""
    rows = (
        Assignment.objects.filter(booth__hall__site=site)
        .select_related("application__vendor__category", "application__vendor__county", "offer")
        .order_by("date", "pk")
    )
    occupant_of: dict[tuple[int, int], Occupant] = {}
    for row in rows:
        view = views.get(row.booth_id)
        if view is None:
            continue
        key = (row.booth_id, row.application_id)
        if key not in occupant_of:
            occupant_of[key] = Occupant(row.application, view.booth, [], row.offer)
            view.occupants.append(occupant_of[key])
        occupant_of[key].dates.append(row.date)
    return list(occupant_of.values())


def _describe_booths(
    views: dict[int, BoothView], run: AllocationRun | None, colour: dict[int, str]
) -> set[int]:
    """Fill each booth in its main occupant's group colour and give every occupant its days and the
    reason it is there; the category groups so shown."""
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
    return used_groups


def _drawings(
    halls: list[Hall], views: dict[int, BoothView], selected: int | None, rtl: bool
) -> list[HallDrawing]:
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
    return drawings


def _unplaced(site: Site, run: AllocationRun | None, show_all: bool) -> tuple[list[Application], int]:
    """The accepted applications without a booth as listed (the first UNPLACED_SHOWN unless all are
    asked for), each with its lottery position, days and reason; and how many there are in all."""
    let_go = dict(
        Offer.objects.filter(application__site=site, status__in=LET_GO).values_list(
            "application_id", "status"
        )
    )
    order = WaitingOrder(run)
    waiting = list(
        Application.objects.filter(site=site, status=Application.Status.ACCEPTED)
        .exclude(pk__in=Assignment.objects.filter(booth__hall__site=site).values("application_id"))
        .values_list("pk", "priority")
    )
    waiting.sort(key=lambda w: (w[0] in let_go, order.key(*w)))
    shown = [pk for pk, _priority in (waiting if show_all else waiting[:UNPLACED_SHOWN])]
    loaded = Application.objects.filter(pk__in=shown).select_related("vendor__category", "vendor__county")
    by_pk = {a.pk: a for a in loaded}
    unplaced = [by_pk[pk] for pk in shown if pk in by_pk]
    for application in unplaced:
        application.lottery_position = order.lottery_position(application.pk)
        application.refusal_code, application.refusal_reason = _refusal_text(run, application, let_go)
        application.days_text = days_text(application.days)
    return unplaced, len(waiting)


def _placement_text(run: AllocationRun | None, application: Application, booth: Booth) -> str:
    if application.pinned_booth_id == booth.pk:
        return gettext("The organiser chose this booth.")
    data = (run.placements if run else {}).get(application_id(application.pk))
    if data and data["booth"] == booth_key(booth):
        try:
            placement = placement_from(application.pk, data)
            return digits_for_language(placement_reason(placement, reader=ORGANISER))
        except (KeyError, TypeError, ValueError):
            pass
    return gettext("Placed after the allocation (by the organiser or from the waiting list).")


def _placement_code(run: AllocationRun | None, application: Application, booth: Booth) -> str:
    if application.pinned_booth_id == booth.pk:
        return "pinned"
    data = (run.placements if run else {}).get(application_id(application.pk))
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
    data = (run.refusals if run else {}).get(application_id(application.pk))
    if data:
        try:
            refusal = refusal_from(application.pk, data)
            return data["code"], digits_for_language(
                refusal_reason(refusal, reader=ORGANISER, group_name=quota_group_name(refusal))
            )
        except (KeyError, TypeError, ValueError):
            return data["code"], gettext("No suitable booth was free on its days.")
    if run is None:
        return "not_run", gettext("The allocation has not been run yet.")
    return "after_run", gettext("Accepted after the last run, or moved off its booth: run again or place it.")
