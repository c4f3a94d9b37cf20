"""The waiting list of a site, and where each vendor stands on it.

It is the site's accepted applications without a booth and without a live offer that have never
let an offer go (declined or expired), in order of priority, then of the published lottery, then of
application. `booths.allocation.offers.promote` offers freed booth-days down this list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.db.models.fields.json import KeyTransform

from bazaarche.text import digits_for_language
from booths.models import AllocationRun, Application, Assignment, Offer
from booths.plans.labels import quota_group_name
from events.models import Site

from .ids import application_id
from .instance import refusal_reason
from .runs import latest_published_pk, published_run, refusal_from

LIVE = (Offer.Status.PENDING, Offer.Status.CONFIRMED)
LET_GO = (Offer.Status.DECLINED, Offer.Status.EXPIRED)


class WaitingOrder:
    """The waiting list's order under a run: priority, then the run's lottery, then application (pk).
    The organiser's allocation page lists the applications without a booth in this order too."""

    def __init__(self, run: AllocationRun | None):
        self.position = {app_id: n for n, app_id in enumerate(run.lottery)} if run else {}

    def lottery_position(self, pk: int) -> int | None:
        return self.position.get(application_id(pk))

    def key(self, pk: int, priority: int) -> tuple[int, int, int]:
        return -priority, self.position.get(application_id(pk), len(self.position)), pk


def waitlist(site: Site, run: AllocationRun | None = None) -> list[Application]:
    """The site's waiting list in order: priority, then the published lottery, then application order."""
    if run is None:
        run = published_run(site)
    order = WaitingOrder(run)
    let_go = Offer.objects.filter(application__site=site, status__in=LET_GO).values("application_id")
    live = Offer.objects.filter(application__site=site, status__in=LIVE).values("application_id")
    placed = Assignment.objects.filter(application__site=site).values("application_id")
    waiting = list(
        Application.objects.filter(site=site, status=Application.Status.ACCEPTED)
        .exclude(pk__in=let_go)
        .exclude(pk__in=live)
        .exclude(pk__in=placed)
        .select_related("vendor__user", "site")
    )
    waiting.sort(key=lambda a: order.key(a.pk, a.priority))
    return waiting


@dataclass
class Standing:
    position: int  # 1 = next in line
    ahead: int
    waiting: int  # on the list with days that overlap
    reason: str = ""  # the engine's reason for not placing it, in the active language


def standings(applications) -> dict[int, Standing]:
    """Where each accepted application without an offer stands among those waiting for any of its
    days (priority, then the published lottery), with the engine's reason. Three queries whatever the
    number of applications and sites; an application of a site with nothing allocated yet is left out.
    """
    asking = [a for a in applications if a.status == Application.Status.ACCEPTED and not a.offers.all()]
    if not asking:
        return {}
    sites = Site.objects.filter(pk__in={a.site_id for a in asking}).annotate(
        run_id=Subquery(latest_published_pk(OuterRef("pk"))),
        offered=Exists(Offer.objects.filter(application__site=OuterRef("pk"))),
    )
    lined = {
        pk: run_id
        for pk, run_id, offered in sites.values_list("pk", "run_id", "offered")
        if run_id or offered
    }
    if not lined:
        return {}
    # Only the lottery and this vendor's refusals are read: a large site's run holds megabytes more.
    reasons = {f"reason_{a.pk}": KeyTransform(application_id(a.pk), "refusals") for a in asking}
    runs = {
        run.site_id: run
        for run in AllocationRun.objects.filter(pk__in=[r for r in lined.values() if r])
        .only("pk", "site_id", "lottery")
        .annotate(**reasons)
    }
    let_go_or_live = Offer.objects.filter(application__site__in=lined, status__in=LET_GO + LIVE).values(
        "application_id"
    )
    placed = Assignment.objects.filter(application__site__in=lined).values("application_id")
    waiting_by_site: dict[int, list[tuple[int, int, list[str]]]] = {}
    for pk, site_id, priority, days in (
        Application.objects.filter(site__in=lined, status=Application.Status.ACCEPTED)
        .exclude(pk__in=let_go_or_live)
        .exclude(pk__in=placed)
        .values_list("pk", "site_id", "priority", "days")
    ):
        waiting_by_site.setdefault(site_id, []).append((pk, priority, days))
    found = {}
    for site_id, waiting in waiting_by_site.items():
        run = runs.get(site_id)
        order = WaitingOrder(run)
        waiting.sort(key=lambda w: order.key(w[0], w[1]))
        for application in asking:
            if application.site_id != site_id:
                continue
            days = set(application.days)
            ids = [pk for pk, _priority, other in waiting if days & set(other)]
            if application.pk not in ids:
                continue
            n = ids.index(application.pk)
            found[application.pk] = Standing(n + 1, n, len(ids), _refusal_text(application, run))
    return found


def _refusal_text(application: Application, run: AllocationRun | None) -> str:
    refusal = getattr(run, f"reason_{application.pk}", None) if run else None
    if not refusal:
        return ""
    try:
        refused = refusal_from(application.pk, refusal)
        return digits_for_language(refusal_reason(refused, group_name=quota_group_name(refused)))
    except (KeyError, TypeError, ValueError):
        return ""  # an engine code this page does not know yet
