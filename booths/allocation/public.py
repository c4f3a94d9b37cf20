"""What the public lottery page and a vendor's own page show of a site's allocation runs.

The public sees the published run's seed, commitment and order of pseudonymous tickets, and every
run drawn for the site (so that re-draws show); never a name, a priority, a need or a booth. Each
vendor sees their own ticket and rank on their page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, OuterRef, Subquery
from django.db.models.fields.json import KeyTextTransform

from booths.models import AllocationRun, Application
from events.models import Site

from .ids import application_id
from .runs import latest_published_pk


@dataclass
class LotteryPlace:
    """A vendor's own place in the published lottery of a site."""

    ticket: str  # "" for a run drawn before tickets existed
    rank: int  # 1 is the first drawn
    total: int


def published_lottery(site: Site) -> AllocationRun | None:
    """The site's latest published run with its lottery and tickets (not its large input and result)."""
    return (
        AllocationRun.objects.filter(site=site, published_at__isnull=False)
        .select_related("created_by")
        .defer("instance", "placements", "refusals")
        .order_by("-published_at", "-pk")
        .first()
    )


def drawn_runs(site: Site) -> list[AllocationRun]:
    """Every run that drew a lottery for the site, oldest first, published or not."""
    return list(
        AllocationRun.objects.filter(site=site, status=AllocationRun.Status.DONE)
        .only(
            "pk", "site_id", "seed", "seed_drawn", "commitment", "created_at", "finished_at", "published_at"
        )
        .order_by("created_at", "pk")
    )


def lottery_order(run: AllocationRun) -> list[tuple[int, str]]:
    """(rank, ticket) in the order the lottery drew; a ticket is "" when the run has none."""
    return [(n, run.tickets.get(app_id, "")) for n, app_id in enumerate(run.lottery, start=1)]


def lottery_places(applications: list[Application]) -> dict[int, LotteryPlace]:
    """Each application's ticket and rank in the latest published lottery of its site, by application
    pk; applications outside it are left out. One query, whatever the number of sites."""
    if not applications:
        return {}
    # Only this vendor's tickets are read: a large site's run holds 20,000.
    tickets = {f"ticket_{a.pk}": KeyTextTransform(application_id(a.pk), "tickets") for a in applications}
    runs = {
        run.site_id: run
        for run in AllocationRun.objects.filter(
            site__in={a.site_id for a in applications}, published_at__isnull=False
        )
        .annotate(latest=Subquery(latest_published_pk(OuterRef("site_id"))))
        .filter(pk=F("latest"))
        .only("pk", "site_id", "lottery")
        .annotate(**tickets)
    }
    places = {}
    for application in applications:
        run = runs.get(application.site_id)
        if run is None:
            continue
        try:
            rank = run.lottery.index(application_id(application.pk)) + 1
        except ValueError:
            continue  # accepted after that run, or never accepted
        ticket = getattr(run, f"ticket_{application.pk}") or ""
        places[application.pk] = LotteryPlace(ticket, rank, len(run.lottery))
    return places
