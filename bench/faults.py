"""The five faults of issue 21, each injected into `make serve` under load, with what they cost.

    .venv/bin/python bench/faults.py                 # all five, about five minutes
    .venv/bin/python bench/faults.py --scenario 3    # one of them

Nothing shared is stopped: the server reaches PostgreSQL and Redis through TCP proxies of the bench's
own (bench/faultlib.py), and a fault is a proxy that closes its connections and refuses new ones. The
bench prepares its own database (--db, default bazaarche_faults: migrated, the demo, registry vendors
with signed-in sessions, as bench/rush.py does) and Redis database 12, then starts `make serve` on
port 8795 through the proxies. During each scenario 30 vendors apply (the apply page, then the form,
each time for a vendor/site pair never used, so each success is one new row; after an error the same
form again half a second later, as a person would) and 5 visitors read public pages (home, a site,
/vendors/): 5 s before the fault, through it, --duration s after it.

1. PostgreSQL cut for 5 s; then a registry file is uploaded: seconds until it is checked and imported.
2. The task worker killed with SIGKILL in the middle of an import: is the task retried or failed with a
   message, and when; is a worker running again.
3. Redis cut for 10 s, and back empty (a restart that lost its data; only the bench's database 12 is
   flushed): errors, and whether signed-in vendors stay signed in.
4. An import run while the worker alone cannot reach Redis (the Redis proxy closes and refuses only
   the connections held by the worker's process, found through /proc): its status and progress
   against the vendors written.
5. PostgreSQL cut for 10 s: errors by kind, and whether public pages were served meanwhile.

For each it prints the requests, failed attempts by kind (an apply is the page and the form; "signed
out" is a redirect to /signin/), the seconds from the fault's end to the first whole apply and page
that succeed, and a data check: every apply answered with success is exactly one Application row, no
pair twice, and an import's progress equals the vendors it wrote. Then the table, as text and as
markdown for docs/deploy.md. Standard library plus the project; not part of `make test`.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

PORT, PG_PROXY, REDIS_PROXY = 8795, 15432, 16379
REDIS_DB = 12
REGISTRY = 300  # registry vendors with accounts; each scenario signs them all in afresh
SITES = 5  # new sites per scenario: SITES × REGISTRY fresh vendor/site pairs to apply with
APPLIERS, VISITORS = 30, 5
BEFORE = 5.0  # seconds of load before each fault
WAIT = 90.0  # longest wait for an import after its fault (a dead worker's task within "about a minute")
SECRET = "faults-bench-only-0123456789-not-a-secret-abcdefghijklmnopqrstuvwxyz"


def environment(db: str) -> tuple[dict[str, str], dict[str, str]]:
    """(the bench's own environment, the server's): the same settings, the server through the proxies."""
    media = Path(tempfile.gettempdir()) / f"{db}-media"
    common = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET,  # the same on both sides: sessions are signed with it
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_MEDIA_ROOT": str(media),
        "ACCESS_LOG": "/dev/null",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    bench = {
        **common,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
    }
    server = {
        **os.environ,
        **common,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PROXY}/{db}",
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PROXY}/{REDIS_DB}",
    }
    return bench, server


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scenario", type=int, choices=range(1, 6), action="append", help="run only this one"
    )
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load after each fault")
    parser.add_argument("--db", default="bazaarche_faults", help="PostgreSQL database of the bench's own")
    return parser.parse_args()


ARGS = parse() if __name__ == "__main__" else None
BENCH_ENV, SERVER_ENV = environment(ARGS.db if ARGS else "bazaarche_faults")
os.environ.update(BENCH_ENV)


def create_database(name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


if ARGS:
    create_database(ARGS.db)

import rush  # noqa: E402  (sets Django up, with the environment above)
from django.conf import settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection as db_connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402
from faultlib import (  # noqa: E402
    Load,
    Proxies,
    Serve,
    errors_by_kind,
    recovered_after,
    served_between,
)

from booths.models import Application  # noqa: E402
from events.models import Exhibition, Site  # noqa: E402
from tests import factories  # noqa: E402
from vendors import tasks as import_tasks  # noqa: E402
from vendors.models import RegistryImport, Vendor  # noqa: E402

Status = RegistryImport.Status


# --- preparing ---


def prepare_database() -> str:
    """Migrate, load the demo once, add the registry vendors; hide earlier runs' calls from the home
    page. Returns a public site page for the visitors."""
    call_command("migrate", verbosity=0)
    if not Site.objects.exclude(exhibition__slug__startswith="exhibition-").exists():
        call_command("load_demo", stdout=io.StringIO())
    Exhibition.objects.filter(slug__startswith="exhibition-", status=Exhibition.Status.PUBLISHED).update(
        status=Exhibition.Status.DRAFT
    )
    rush.prepare(REGISTRY, 0)
    demo = Site.objects.filter(exhibition__status=Exhibition.Status.PUBLISHED).order_by("pk").first()
    return f"/sites/{demo.slug}/"


# --- registry files ---

FIRST_CODE = 7_000_000_000  # tracking codes of the bench's files: never the demo's, rush's or the tests'


def registry_file(rows: int) -> tuple[str, bytes, list[str]]:
    """A registry export of `rows` valid new permits (codes, permit IDs and mobiles never imported
    before), so that each row is one vendor written: (name, bytes, tracking codes)."""
    last = (
        Vendor.objects.filter(tracking_code__startswith="700", tracking_code__regex=r"^\d{10}$")
        .order_by("-tracking_code")
        .values_list("tracking_code", flat=True)
        .first()
    )
    start = max(int(last) - FIRST_CODE + 1 if last else 0, registry_file.next)
    registry_file.next = start + rows
    out = io.StringIO()
    writer = csv.writer(out)
    header = "tracking_code permit_id national_id first_name last_name gender mobile category_code"
    writer.writerow([*header.split(), "permit_type", "permit_issued", "permit_expires", "county"])
    codes = []
    for k in range(start, start + rows):
        codes.append(str(FIRST_CODE + k))
        person = [codes[-1], str(700_000_000_000 + k), factories.national_id(50_000_000 + k), "مریم"]
        permit = ["1002", "مستقل", "1403/01/15", "1408/01/15", "خرم‌آباد"]
        writer.writerow([*person, f"آزمون {k}", "زن", f"0935{k:07d}", *permit])
    return f"registry-{start}.csv", out.getvalue().encode(), codes


registry_file.next = 0


def upload(rows: int) -> tuple[int, list[str]]:
    """As the organiser's upload page does: keep the file, queue its check."""
    name, data, codes = registry_file(rows)
    return import_tasks.start_check(SimpleUploadedFile(name, data), None).pk, codes


def confirmed_import(rows: int) -> tuple[int, list[str]]:
    """A file already checked, confirmed: its import is queued."""
    name, data, codes = registry_file(rows)
    entry = RegistryImport(original_name=name, status=Status.CHECKED, rows_total=rows)
    entry.file.save(import_tasks.stored_name(name), ContentFile(data), save=False)
    entry.save()
    import_tasks.confirm(entry.pk)
    return entry.pk, codes


def wait_import(pk: int, until: set[str], deadline: float) -> RegistryImport:
    while True:
        entry = RegistryImport.objects.get(pk=pk)
        if entry.status in until or time.monotonic() >= deadline:
            return entry
        time.sleep(0.25)


def import_check(pk: int, codes: list[str]) -> tuple[bool, str]:
    """Progress against the vendors in the database."""
    entry = RegistryImport.objects.get(pk=pk)
    written = Vendor.objects.filter(tracking_code__in=codes).count()
    text = f"import {entry.status}, progress {entry.rows_done} of {entry.rows_total}, {written} written"
    return entry.rows_done == written, text


# --- a scenario's load and figures ---


@dataclass
class Row:
    scenario: str
    requests: int
    errors: str
    recovered: str
    data: str
    outcome: str
    data_ok: bool


class Trial:
    """One scenario's load: SITES new open calls, every registry vendor signed in afresh (sessions
    written to the store the server reads), each (vendor, site) pair applied with once."""

    def __init__(self, pages: list[str], after: float):
        self.slugs = [rush.prepare(REGISTRY, 0)[0] for _ in range(SITES - 1)]
        slug, keys = rush.prepare(REGISTRY, REGISTRY)
        self.slugs.append(slug)
        vendors = Vendor.objects.filter(business_name__startswith=rush.MARK).order_by("pk")[:REGISTRY]
        self.vendor_of = dict(zip(keys, vendors.values_list("pk", flat=True), strict=True))
        pairs = iter([(key, site) for site in self.slugs for key in keys])
        self.load = Load(PORT, pairs, pages, settings.SESSION_COOKIE_NAME)
        self.after = after
        self.began = self.ended = 0.0

    def start(self) -> None:
        self.load.start(APPLIERS, VISITORS)
        time.sleep(BEFORE)

    def fault(self) -> None:
        self.began = time.monotonic()

    def over(self) -> None:
        self.ended = time.monotonic()

    def finish(self) -> None:
        time.sleep(max(0.0, self.ended + self.after - time.monotonic()))
        self.load.finish()

    def during(self, kind: str) -> str:
        ok, tried = served_between(self.load.records, kind, self.began, self.ended)
        return f"{ok}/{tried}"

    def signed_out(self) -> tuple[int, int]:
        """Attempts redirected to /signin/ during the fault and after it."""
        out = [r for r in self.load.records if r.outcome == "signed out"]
        return sum(r.began < self.ended for r in out), sum(r.began >= self.ended for r in out)

    def applications(self) -> tuple[bool, str]:
        """Every success exactly one row of its vendor and site, no pair twice; and the rows written
        although the vendor was told the attempt failed (or got no answer)."""
        found = Application.objects.filter(site__slug__in=self.slugs)
        rows = {pk: (vendor, slug) for pk, vendor, slug in found.values_list("pk", "vendor_id", "site__slug")}
        twice = found.values("vendor", "site").annotate(n=Count("pk")).filter(n__gt=1).count()
        told = [int(location.rstrip("/").rsplit("/", 1)[1]) for _key, _slug, location in self.load.applied]
        wrong = sum(
            rows.get(pk) != (self.vendor_of[key], slug)
            for pk, (key, slug, _location) in zip(told, self.load.applied, strict=True)
        )
        repeated = len(told) - len(set(told))
        untold = len(set(rows) - set(told))
        ok = not (wrong or repeated or twice)
        text = (
            f"{len(told)} applied = {len(rows) - untold} rows"
            if ok
            else f"{len(told)} applied, {len(rows)} rows"
        )
        if wrong:
            text += f", {wrong} successes without their row"
        if repeated or twice:
            text += f", {repeated + twice} duplicated"
        if untold:
            text += f", +{untold} rows for attempts answered with an error"
        return ok, text

    def row(self, name: str, outcome: str, checks: list[tuple[bool, str]]) -> Row:
        records = self.load.records
        errors = errors_by_kind(records)
        recovered = recovered_after(records, self.ended)
        return Row(
            scenario=name,
            requests=sum(r.requests for r in records),
            errors=", ".join(f"{kind} ×{n}" for kind, n in errors.most_common()) or "none",
            recovered=f"{recovered:.1f} s" if recovered is not None else f"not in {self.after:.0f} s",
            data="; ".join(text for _ok, text in checks),
            outcome=outcome,
            data_ok=all(ok for ok, _text in checks),
        )


def worker_note(serve: Serve) -> str:
    return "a worker is running" if serve.workers() else "no worker is running"


# --- the five scenarios ---


def pg_cut_then_upload(trial: Trial, serve: Serve, proxies: Proxies) -> Row:
    """1. PostgreSQL away for 5 s under the worker; a file uploaded afterwards must be checked and imported."""
    trial.start()
    trial.fault()
    proxies.cut("pg")
    time.sleep(5)
    proxies.restore("pg")
    trial.over()
    pk, codes = upload(200)
    trial.finish()
    entry = wait_import(pk, {Status.CHECKED, Status.FAILED}, trial.ended + WAIT)
    checked = time.monotonic() - trial.ended
    if entry.status == Status.CHECKED:
        import_tasks.confirm(pk)
        entry = wait_import(pk, {Status.DONE, Status.FAILED}, time.monotonic() + WAIT)
        imported = time.monotonic() - trial.ended
        outcome = (
            f"file uploaded after it checked in {checked:.1f} s, then {entry.status} at {imported:.1f} s"
        )
    elif entry.status == Status.FAILED:
        outcome = f"file uploaded after it failed at {checked:.1f} s: {entry.error[:60]!r}"
    else:
        outcome = f"file uploaded after it still {entry.status}, {entry.rows_done} rows, at {checked:.0f} s"
    outcome += f"; {worker_note(serve)}"
    return trial.row(
        "1. PostgreSQL cut 5 s, then an upload", outcome, [trial.applications(), import_check(pk, codes)]
    )


def worker_killed(trial: Trial, serve: Serve, proxies: Proxies) -> Row:
    """2. The worker killed with SIGKILL in the middle of an import."""
    rows = 10_000
    pk, codes = confirmed_import(rows)
    trial.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        entry = RegistryImport.objects.get(pk=pk)
        if entry.rows_done > 0 or entry.status != Status.IMPORTING:
            break
        time.sleep(0.1)
    victims = serve.workers()
    trial.fault()
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    trial.over()
    time.sleep(0.3)  # a statement the worker sent just before it died is committed or rolled back by now
    killed = RegistryImport.objects.get(pk=pk)
    back = picked = None
    deadline = trial.ended + WAIT
    while time.monotonic() < deadline or (
        picked is not None and time.monotonic() < picked + trial.ended + WAIT
    ):
        now = time.monotonic()
        if trial.load.threads and not trial.load.stop.is_set() and now >= trial.ended + trial.after:
            trial.load.finish()
        if back is None and set(serve.workers()) - set(victims):
            back = now - trial.ended
        entry = RegistryImport.objects.get(pk=pk)
        if picked is None and (entry.status != killed.status or entry.progress_at != killed.progress_at):
            picked = now - trial.ended  # a worker took the import up again, or something marked it
        if entry.status in (Status.DONE, Status.FAILED) and back is not None:
            break
        time.sleep(0.5)
    trial.finish()
    seconds = time.monotonic() - trial.ended
    tasks = [
        t.status
        for t in DBTaskResult.objects.filter(task_path__endswith="run_registry_import").order_by(
            "enqueued_at"
        )
        if t.args_kwargs.get("args") == [pk]
    ]
    outcome = f"killed at {killed.rows_done:,} of {rows:,} rows; "
    if entry.status == Status.DONE:
        outcome += f"taken up again at {picked:.0f} s, done at {seconds:.0f} s"
    elif entry.status == Status.FAILED:
        outcome += f"failed at {picked:.0f} s: {entry.error[:70]!r}"
    else:
        outcome += f"still {entry.status} at {seconds:.0f} s"
    outcome += f"; its task {', '.join(tasks) or 'gone'}"
    outcome += f"; a worker again at {back:.1f} s" if back is not None else "; no worker running again"
    if not victims:
        outcome = "no worker was running to kill; " + outcome
    return trial.row("2. worker killed mid-import", outcome, [trial.applications(), import_check(pk, codes)])


def redis_cut(trial: Trial, serve: Serve, proxies: Proxies) -> Row:
    """3. Redis away for 10 s, and back empty (only the bench's database of it is emptied)."""
    import redis

    trial.start()
    trial.fault()
    proxies.cut("redis")
    redis.Redis.from_url(BENCH_ENV["REDIS_URL"]).flushdb()
    time.sleep(10)
    proxies.restore("redis")
    trial.over()
    trial.finish()
    during, after = trial.signed_out()
    outcome = (
        f"pages during the cut {trial.during('page')}, applies {trial.during('apply')}; "
        f"signed out: {during} during, {after} after"
    )
    return trial.row("3. Redis cut 10 s, back empty", outcome, [trial.applications()])


def import_without_redis(trial: Trial, serve: Serve, proxies: Proxies) -> Row:
    """4. An import run while the worker (only) cannot reach Redis."""
    trial.start()
    trial.fault()
    closed = proxies.cut("redis", serve.pgid, "_worker")
    pk, codes = confirmed_import(3000)
    entry = wait_import(pk, {Status.DONE, Status.FAILED}, time.monotonic() + WAIT)
    refused = proxies.restore("redis")
    trial.over()
    trial.finish()
    outcome = (
        f"worker's Redis cut {trial.ended - trial.began:.0f} s ({closed} connections closed, {refused} refused); "
        f"import {entry.status}, progress {entry.rows_done:,}; {worker_note(serve)}"
    )
    return trial.row(
        "4. import, worker without Redis", outcome, [trial.applications(), import_check(pk, codes)]
    )


def pg_cut(trial: Trial, serve: Serve, proxies: Proxies) -> Row:
    """5. PostgreSQL away for 10 s."""
    trial.start()
    trial.fault()
    proxies.cut("pg")
    time.sleep(10)
    proxies.restore("pg")
    trial.over()
    trial.finish()
    outcome = (
        f"pages during the cut {trial.during('page')}, applies {trial.during('apply')}; {worker_note(serve)}"
    )
    return trial.row("5. PostgreSQL cut 10 s", outcome, [trial.applications()])


SCENARIOS = {1: pg_cut_then_upload, 2: worker_killed, 3: redis_cut, 4: import_without_redis, 5: pg_cut}


# --- the run ---


def ensure_worker(serve: Serve) -> str:
    """A scenario starts with a task worker: if an earlier fault left none, `make serve` is restarted."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if serve.workers():
            return ""
        time.sleep(0.25)
    serve.stop()
    serve.start()
    return "(no worker was left running: make serve restarted first)"


def table(rows: list[Row]) -> None:
    headers = ["scenario", "requests", "failed attempts by kind", "recovered in", "data check", "outcome"]
    cells = [
        [
            r.scenario,
            f"{r.requests:,}",
            r.errors,
            r.recovered,
            ("ok: " if r.data_ok else "WRONG: ") + r.data,
            r.outcome,
        ]
        for r in rows
    ]
    print()
    for row in cells:
        print(" · ".join(row))
    print()
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for row in cells:
        print("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |")


def main() -> None:
    site_page = prepare_database()
    db_connection.close()
    pages = ["/", site_page, "/vendors/"]
    log = Path(tempfile.gettempdir()) / f"{ARGS.db}-serve.log"
    proxies = Proxies(pg=(PG_PROXY, 5432), redis=(REDIS_PROXY, 6379))
    serve = Serve(SERVER_ENV, PORT, log)
    rows = []
    try:
        print(f"make serve on 127.0.0.1:{PORT} answered in {serve.start():.1f} s (its output: {log})")
        for number in ARGS.scenario or sorted(SCENARIOS):
            note = ensure_worker(serve)
            if note:
                print(note)
            trial = Trial(pages, ARGS.duration)
            row = SCENARIOS[number](trial, serve, proxies)
            rows.append(row)
            print(
                f"{row.scenario}: {row.requests:,} requests; failed {row.errors}; recovered in {row.recovered}"
            )
            print(f"    data {'ok' if row.data_ok else 'WRONG'}: {row.data}")
            print(f"    {row.outcome}", flush=True)
    finally:
        serve.stop()
        proxies.close()
    table(rows)


if __name__ == "__main__":
    main()
