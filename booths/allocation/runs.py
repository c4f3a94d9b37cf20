"""A site's allocation runs as stored: the latest and the published one, and the engine's result kept
on a run (placements and refusals as JSON keyed by application id), written and read back here only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef

from booths.models import AllocationRun
from events.models import Site

from .engine import Placement, Refusal, Result
from .ids import application_id


def latest_run(site: Site, defer_instance: bool = False) -> AllocationRun | None:
    runs = AllocationRun.objects.filter(site=site).order_by("-created_at", "-pk")
    if defer_instance:
        runs = runs.defer("instance")  # the engine's whole input: large, and pages do not need it
    return runs.first()


def published_run(site: Site) -> AllocationRun | None:
    """The latest published run; its large instance and placements load only when read."""
    return (
        AllocationRun.objects.filter(site=site, published_at__isnull=False)
        .defer("instance", "placements")
        .order_by("-published_at", "-pk")
        .first()
    )


def latest_published_pk(site: Site | OuterRef):
    """The pk of the site's latest published run, as a subquery (`site` an OuterRef to a site's pk)."""
    return (
        AllocationRun.objects.filter(site=site, published_at__isnull=False)
        .order_by("-published_at", "-pk")
        .values("pk")[:1]
    )


def stored_placements(result: Result) -> dict[str, dict[str, Any]]:
    """`AllocationRun.placements`: each placed application's booth, days, code and facts."""
    return {
        p.application: {"booth": p.booth, "days": list(p.days), "code": p.code, "facts": p.facts}
        for p in result.assignments
    }


def stored_refusals(result: Result) -> dict[str, dict[str, Any]]:
    """`AllocationRun.refusals`: each unplaced application's code and facts."""
    return {r.application: {"code": r.code, "facts": r.facts} for r in result.unassigned}


def placement_from(application_pk: int, data: dict[str, Any]) -> Placement:
    """A stored placement of the application read back (KeyError or TypeError when it is malformed)."""
    return Placement(
        application_id(application_pk), data["booth"], tuple(data["days"]), data["code"], data["facts"]
    )


def refusal_from(application_pk: int, data: dict[str, Any]) -> Refusal:
    """A stored refusal of the application read back (KeyError or TypeError when it is malformed)."""
    return Refusal(application_id(application_pk), data["code"], data["facts"])
