"""Runs the allocation engine on a site in the database and writes its Assignment rows.

Booths and applications are named as booths.allocation.ids says. Assignments linked to an offer are
kept: their applications are pinned to their booths (with the days they hold), so the engine never
double-books them; every other assignment of the site is replaced in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from booths.models import AllocationRun, Application, Assignment, Booth
from events.models import Site
from events.schedule import schedule_for
from vendors.models import User

from .engine import ApplicationIn, BoothIn, Instance, Result, allocate, lottery
from .ids import application_id, booth_key
from .instance import instance_commitment, instance_data
from .locking import lock_site
from .runs import stored_placements, stored_refusals
from .tasks import run_allocation
from .tickets import new_tickets

logger = logging.getLogger(__name__)


@dataclass
class SiteRun:
    instance: Instance
    result: Result
    written: int  # Assignment rows created (0 on a dry run)
    kept: int  # Assignment rows kept because an offer holds them
    run: AllocationRun | None = None  # the recorded run (none on a dry run)


def site_instance(site: Site, seed: int = 0) -> tuple[Instance, dict[str, Booth], dict[str, Application]]:
    """The site's booths, open days and accepted applications as an engine instance."""
    open_days = [day.date for day in schedule_for(site).open_days]
    by_key, booth_ins = _booths(site)
    held = _held_by_offers(site)
    apps, by_app, waived = _applications(site, open_days, by_key, held)
    _drop_clashing_pins(apps, held={application_id(pk) for pk in held})
    for i, app in enumerate(apps):
        if app.id in waived and app.pinned is None:
            apps[i] = ApplicationIn(**{**app.__dict__, "needs": waived[app.id]})
    instance = Instance(
        tuple(d.isoformat() for d in open_days),
        booth_ins,
        tuple(apps),
        seed=seed,
        site=site.slug,
        quotas=tuple((str(q.group_id), q.max_percent) for q in site.quotas.order_by("group_id")),
    )
    return instance, by_key, by_app


def _booths(site: Site) -> tuple[dict[str, Booth], tuple[BoothIn, ...]]:
    """The site's booths that are not blocked, by key, and as the engine's booths, in plan order."""
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
    return by_key, booth_ins


def _held_by_offers(site: Site) -> dict[int, tuple[str, set[str]]]:
    """The booth and days each offer holds, by application pk: those applications keep them."""
    held: dict[int, tuple[str, set[str]]] = {}
    for row in Assignment.objects.filter(application__site=site, offer__isnull=False).select_related(
        "booth__hall"
    ):
        key = booth_key(row.booth)
        held.setdefault(row.application_id, (key, set()))[1].add(row.date.isoformat())
    return held


def _applications(
    site: Site,
    open_days: list[datetime.date],
    by_key: dict[str, Booth],
    held: dict[int, tuple[str, set[str]]],
) -> tuple[list[ApplicationIn], dict[str, Application], dict[str, frozenset[str]]]:
    """The accepted applications with open days as the engine's, by id, and the full needs of those
    pinned with needs set aside (restored by the caller if the pin is dropped)."""
    day_index = {date.isoformat(): n for n, date in enumerate(open_days)}
    applications = list(
        Application.objects.filter(site=site, status=Application.Status.ACCEPTED)
        .select_related("vendor__category", "vendor__county", "company", "pinned_booth__hall")
        .order_by("pk")
    )
    apps, by_app = [], {}
    waived: dict[str, frozenset[str]] = {}
    for application in applications:
        app_id = application_id(application.pk)
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
        if pinned is not None and application.pk not in held and not needs <= set(by_key[pinned].features):
            kept = needs - frozenset(application.waived_needs or ())
            if kept <= set(by_key[pinned].features):
                # The organiser placed it there anyway, with a recorded reason: the pin stands, and the
                # needs set aside hold only on that booth.
                waived[app_id] = needs
                needs = kept
            else:
                pinned = None  # a pin the booth cannot honour is treated as no pin
        vendor = application.vendor
        apps.append(
            ApplicationIn(
                id=app_id,
                days=days,
                vendor=vendor.tracking_code,
                category=vendor.category.code if vendor.category_id else "",
                category_group=str(vendor.category.group_id) if vendor.category_id else "",
                county=vendor.county.slug if vendor.county_id else "",
                group=application.company.national_id if application.company_id else None,
                priority=application.priority,
                needs=needs if application.pk not in held else frozenset(),
                prefer_zones=tuple(application.preferred_zones or ()),
                prefer_types=tuple(application.preferred_types or ()),
                pinned=pinned,
            )
        )
        by_app[app_id] = application
    return apps, by_app, waived


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


# Seeds the system draws are below this: nine digits, easy to copy from the lottery page.
SEED_BELOW = 10**9


def draw_seed() -> int:
    return secrets.randbelow(SEED_BELOW)


def allocate_site(
    site: Site, seed: int | None = None, dry_run: bool = False, by: User | None = None
) -> SiteRun:
    """Allocate a site now, write its assignments and record the run as the organiser's page does
    (its lottery shows once published); the site row is locked while it happens. Without a seed the
    run draws one after recording its commitment."""
    if dry_run:
        instance, _booths, _applications = site_instance(site, seed=draw_seed() if seed is None else seed)
        result = allocate(instance)
        kept = Assignment.objects.filter(application__site=site, offer__isnull=False).count()
        return SiteRun(instance, result, 0, kept)
    run = AllocationRun.objects.create(
        site=site, seed=seed, created_by=by, status=AllocationRun.Status.RUNNING, progress=10
    )
    instance, result, written, kept = _run(run)
    run.refresh_from_db()
    return SiteRun(instance, result, written, kept, run)


def write_result(
    site: Site,
    instance: Instance,
    result: Result,
    booths: dict[str, Booth],
    applications: dict[str, Application],
) -> tuple[int, int]:
    """Replace the site's unoffered assignments by the result's; call inside a transaction holding the site."""
    held_apps = set(
        Assignment.objects.filter(application__site=site, offer__isnull=False).values_list(
            "application_id", flat=True
        )
    )
    kept = Assignment.objects.filter(application__site=site, offer__isnull=False).count()
    Assignment.objects.filter(application__site=site, offer__isnull=True).delete()
    rows = []
    for placement in result.assignments:
        application = applications[placement.application]
        if application.pk in held_apps:
            continue  # its offer's rows stay as they are
        for d in placement.days:
            rows.append(
                Assignment(booth=booths[placement.booth], date=instance.days[d], application=application)
            )
    Assignment.objects.bulk_create(rows)
    return len(rows), kept


# Sites with more accepted applications than this are allocated by the task worker, with progress.
BACKGROUND_ABOVE = 300
# A run queued or running for longer than this no longer blocks a new run: no worker is serving the
# queue. A run whose worker died is queued again or failed much sooner, by worker.leases.
STALLED_AFTER = datetime.timedelta(minutes=15)


def requeue_lost_run(run_id: int) -> None:
    """Before the task worker repeats a run whose worker died (worker.recovery). Its transaction was
    rolled back, so nothing of it was kept (not even its seed): it waits to start again from nothing."""
    AllocationRun.objects.filter(pk=run_id, status=AllocationRun.Status.RUNNING).update(
        status=AllocationRun.Status.QUEUED, progress=0
    )


def fail_lost_run(run_id: int) -> None:
    """A run whose worker died too often (worker.recovery): failed, so the site is free for a new run."""
    busy = (AllocationRun.Status.QUEUED, AllocationRun.Status.RUNNING)
    AllocationRun.objects.filter(pk=run_id, status__in=busy).update(
        status=AllocationRun.Status.FAILED, error=AllocationRun.WORKER_LOST, finished_at=timezone.now()
    )


def active_run(site: Site, now: datetime.datetime | None = None) -> AllocationRun | None:
    """The site's run that is still queued or running; one that stalled is marked failed instead."""
    now = now or timezone.now()
    busy = (AllocationRun.Status.QUEUED, AllocationRun.Status.RUNNING)
    AllocationRun.objects.filter(site=site, status__in=busy, created_at__lt=now - STALLED_AFTER).update(
        status=AllocationRun.Status.FAILED, error="stalled", finished_at=now
    )
    return AllocationRun.objects.filter(site=site, status__in=busy).order_by("-created_at").first()


def start_run(site: Site, seed: int | None = None, by: User | None = None) -> AllocationRun:
    """Record a run and start it: at once for a small site, by the task worker for a large one.
    The organiser's page gives no seed: the run draws it after recording its commitment."""
    run = AllocationRun.objects.create(site=site, seed=seed, created_by=by)
    accepted = Application.objects.filter(site=site, status=Application.Status.ACCEPTED).count()
    if accepted > BACKGROUND_ABOVE:
        transaction.on_commit(lambda: run_allocation.enqueue(run.pk))
    else:
        try:
            execute_run(run.pk)
        except Exception:
            # Marked failed, nothing written (one transaction); the page says so instead of a 500.
            logger.exception("Allocation run %s of site %s failed", run.pk, site.slug)
        run.refresh_from_db()
    return run


def _stage(run_id: int, progress: int) -> None:
    AllocationRun.objects.filter(pk=run_id).update(progress=progress)


def execute_run(run_id: int) -> None:
    """Run a queued allocation and keep its result. Running it twice does the work once."""
    claimed = AllocationRun.objects.filter(pk=run_id, status=AllocationRun.Status.QUEUED).update(
        status=AllocationRun.Status.RUNNING, progress=10
    )
    if not claimed:
        return
    _run(AllocationRun.objects.select_related("site").get(pk=run_id))


def _run(run: AllocationRun) -> tuple[Instance, Result, int, int]:
    """Allocate the run's site in one transaction and keep the result on the run; a crash marks it
    failed and writes nothing.

    Under the site's lock, in this order: the instance is built and its commitment (the SHA-256 of
    its canonical form) stored with it; only then is the seed drawn (unless one was given), and the
    engine runs on exactly that instance with that seed.
    """
    run_id = run.pk
    try:
        _stage(run_id, 25)
        with transaction.atomic():
            lock_site(run.site_id)
            instance, booths, applications = site_instance(run.site)
            data = instance_data(instance, public=True)
            del data["seed"]  # not drawn yet; the canonical form leaves it out
            AllocationRun.objects.filter(pk=run_id).update(
                instance=data, commitment=instance_commitment(data), progress=40
            )
            seed, drawn = (run.seed, False) if run.seed is not None else (draw_seed(), True)
            AllocationRun.objects.filter(pk=run_id).update(seed=seed, seed_drawn=drawn)
            instance = dataclasses.replace(instance, seed=seed)
            result = allocate(instance)
            written, kept = write_result(run.site, instance, result, booths, applications)
            order = lottery([a.id for a in instance.applications], instance.seed)
            AllocationRun.objects.filter(pk=run_id).update(
                status=AllocationRun.Status.DONE,
                progress=100,
                finished_at=timezone.now(),
                lottery=order,
                tickets=new_tickets(order),
                placements=stored_placements(result),
                refusals=stored_refusals(result),
                summary={
                    "applications": len(instance.applications),
                    "booths": len(instance.booths),
                    "days": len(instance.days),
                    "placed": len(result.assignments),
                    "unplaced": len(result.unassigned),
                    "booth_days": result.booth_days,
                    # The organiser's figure; the result file itself has no timings.
                    "seconds": round(result.seconds, 3),
                    "written": written,
                    "kept": kept,
                    "levels": {str(level): figures for level, figures in result.levels.items()},
                },
            )
    except Exception:
        AllocationRun.objects.filter(pk=run_id).update(
            status=AllocationRun.Status.FAILED, finished_at=timezone.now(), error="crashed"
        )
        raise
    return instance, result, written, kept
