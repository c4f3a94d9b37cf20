"""Runs the allocation engine on a site in the database and writes its Assignment rows.

Booth ids in the instance are "<hall code>/<booth code>" (unique within a site); application ids
are "app-<pk>". Assignments linked to an offer are kept: their applications are pinned to their
booths (with the days they hold), so the engine never double-books them; every other assignment of
the site is replaced in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from booths.models import Application, Assignment, Booth
from events.models import Site
from events.schedule import schedule_for

from .engine import ApplicationIn, BoothIn, Instance, Result, allocate


@dataclass
class SiteRun:
    instance: Instance
    result: Result
    written: int  # Assignment rows created (0 on a dry run)
    kept: int  # Assignment rows kept because an offer holds them


def booth_key(booth: Booth) -> str:
    return f"{booth.hall.code}/{booth.code}"


def site_instance(site: Site, seed: int = 0) -> tuple[Instance, dict[str, Booth], dict[str, Application]]:
    """The site's booths, open days and accepted applications as an engine instance."""
    open_days = [day.date for day in schedule_for(site).open_days]
    day_index = {date.isoformat(): n for n, date in enumerate(open_days)}
    booths = list(
        Booth.objects.filter(hall__site=site, blocked=False)
        .select_related("hall")
        .prefetch_related("neighbours__hall")
        .order_by("hall__position", "hall__code", "code")
    )
    by_key = {booth_key(b): b for b in booths}
    booth_ins = tuple(
        BoothIn(
            id=key,
            zone=b.zone,
            type=b.type,
            features=frozenset(b.features),
            neighbours=tuple(sorted(booth_key(n) for n in b.neighbours.all() if booth_key(n) in by_key)),
        )
        for key, b in by_key.items()
    )
    # Days an offer holds: those applications keep their booth and days.
    held: dict[int, tuple[str, set[str]]] = {}
    for row in Assignment.objects.filter(application__site=site, offer__isnull=False).select_related(
        "booth__hall"
    ):
        key = booth_key(row.booth)
        held.setdefault(row.application_id, (key, set()))[1].add(row.date.isoformat())
    applications = list(
        Application.objects.filter(site=site, status=Application.Status.ACCEPTED)
        .select_related("vendor__category", "vendor__county", "company", "pinned_booth__hall")
        .order_by("pk")
    )
    apps, by_app = [], {}
    for application in applications:
        app_id = f"app-{application.pk}"
        pinned, dates = None, application.days
        if application.pk in held:
            pinned, held_dates = held[application.pk]
            if pinned not in by_key:
                continue  # its offer holds a booth now blocked: those rows stay, nothing to allocate
            dates = sorted(held_dates)
        elif application.pinned_booth is not None and booth_key(application.pinned_booth) in by_key:
            pinned = booth_key(application.pinned_booth)
        days = tuple(sorted({day_index[d] for d in dates if d in day_index}))
        if not days:
            continue  # none of its days is open any more: nothing to allocate
        needs = frozenset(application.needs)
        if pinned is not None and application.pk not in held and not needs <= by_key[pinned].features:
            pinned = None  # a pin the booth cannot honour is treated as no pin
        apps.append(
            ApplicationIn(
                id=app_id,
                days=days,
                vendor=application.vendor.tracking_code,
                category=application.vendor.category.code if application.vendor.category_id else "",
                county=application.vendor.county.slug if application.vendor.county_id else "",
                group=application.company.national_id if application.company_id else None,
                priority=application.priority,
                needs=needs if application.pk not in held else frozenset(),
                prefer_zones=tuple(application.preferred_zones or ()),
                prefer_types=tuple(application.preferred_types or ()),
                pinned=pinned,
            )
        )
        by_app[app_id] = application
    _drop_clashing_pins(apps, held={f"app-{pk}" for pk in held})
    instance = Instance(
        tuple(d.isoformat() for d in open_days), booth_ins, tuple(apps), seed=seed, site=site.slug
    )
    return instance, by_key, by_app


def _drop_clashing_pins(apps: list[ApplicationIn], held: set[str]) -> None:
    """Offers first, then organiser pins in id order: a pin on a booth-day already taken is dropped."""
    taken: set[tuple[str, int]] = set()
    order = sorted(range(len(apps)), key=lambda i: (apps[i].id not in held, apps[i].id))
    for i in order:
        app = apps[i]
        if app.pinned is None:
            continue
        cells = {(app.pinned, d) for d in app.days}
        if cells & taken:
            apps[i] = ApplicationIn(**{**app.__dict__, "pinned": None})
        else:
            taken |= cells


def allocate_site(site: Site, seed: int = 0, dry_run: bool = False) -> SiteRun:
    instance, booths, applications = site_instance(site, seed=seed)
    result = allocate(instance)
    kept = Assignment.objects.filter(application__site=site, offer__isnull=False).count()
    if dry_run:
        return SiteRun(instance, result, 0, kept)
    with transaction.atomic():
        held_apps = set(
            Assignment.objects.filter(application__site=site, offer__isnull=False).values_list(
                "application_id", flat=True
            )
        )
        Assignment.objects.filter(application__site=site, offer__isnull=True).delete()
        rows = []
        for placement in result.assignments:
            application = applications[placement.application]
            if application.pk in held_apps:
                continue  # its offer's rows stay as they are
            for d in placement.days:
                rows.append(
                    Assignment(
                        booth=booths[placement.booth],
                        date=instance.days[d],
                        application=application,
                    )
                )
        Assignment.objects.bulk_create(rows)
    return SiteRun(instance, result, len(rows), kept)
