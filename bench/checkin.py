"""Benchmark of POST /api/checkin/ under gunicorn and PostgreSQL, with 16 parallel gate clients.

    .venv/bin/python bench/checkin.py                       # 2,000 passes, 8,000 scans, 16 clients
    .venv/bin/python bench/checkin.py --passes 5000 --scans 20000 --workers 9 --worker-class sync

Creates a throwaway PostgreSQL database (dropped and re-created on every run), migrates it, makes
one site open today with --passes confirmed booths and passes and one gate token, starts gunicorn
on it (DEBUG off), and drives the API with --clients threads, each on its own keep-alive
connection. The scans are drawn at random from the passes, so the same pass is often scanned by
several clients at once (as at a crowded gate), plus 5% altered codes. Every scan carries its own
Idempotency-Key. Prints scans/s, latency percentiles, the results, and the number of double
admissions (passes admitted more than once on one day: must be 0). Goal: at least 200 scans/s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))


def recreate_database(server_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"


def build_site(n_passes: int) -> tuple[str, str, list[str]]:
    """A site open today with n confirmed booths, each with one vendor pass; returns (slug, key, codes)."""
    import datetime

    from django.utils import timezone

    from booths.gate.checkin import create_gate_token
    from booths.gate.passes import new_code
    from booths.models import Application, Assignment, Booth, Hall, Pass
    from events.models import Exhibition, OpeningHours, Site, Venue
    from vendors.models import Category, County, Province, Vendor

    today = timezone.localdate()
    county = County.objects.get(slug="khorramabad")
    exhibition = Exhibition.objects.create(
        province=Province.objects.get(slug="lorestan"),
        slug="bench",
        title_fa="نمایشگاه آزمون",
        status=Exhibition.Status.PUBLISHED,
    )
    venue = Venue.objects.create(county=county, name_fa="نمایشگاه")
    site = Site.objects.create(
        exhibition=exhibition,
        county=county,
        venue=venue,
        slug="bench-site",
        title_fa="غرفه‌های آزمون",
        start_date=today,
        end_date=today + datetime.timedelta(days=2),
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(site=site, weekday=d, opens=datetime.time(8), closes=datetime.time(22)) for d in range(7)
    )
    hall = Hall.objects.create(site=site, code="A", name_fa="سالن الف")
    booths = Booth.objects.bulk_create(Booth(hall=hall, code=f"A-{i:04d}") for i in range(n_passes))
    category = Category.objects.get(code="1002")
    vendors = Vendor.objects.bulk_create(
        Vendor(
            tracking_code=f"{1405000000 + i}",
            national_id=f"{i:010d}",
            first_name="مریم",
            last_name=f"رحیمی {i}",
            mobile=f"0916{i:07d}",
            business_name=f"کارگاه {i}",
            category=category,
            permit_type=Vendor.PermitType.INDEPENDENT,
            permit_issued=today - datetime.timedelta(days=30),
            permit_expires=today + datetime.timedelta(days=300),
            county=county,
        )
        for i in range(n_passes)
    )
    applications = Application.objects.bulk_create(
        Application(site=site, vendor=v, status=Application.Status.ACCEPTED, days=[today.isoformat()])
        for v in vendors
    )
    Assignment.objects.bulk_create(
        Assignment(booth=b, date=today, application=a) for b, a in zip(booths, applications, strict=True)
    )
    passes = Pass.objects.bulk_create(
        Pass(
            site=site,
            application=a,
            holder=Pass.Holder.VENDOR,
            holder_name=a.vendor.full_name,
            code=new_code(),
        )
        for a in applications
    )
    _token, key = create_gate_token(site, "bench gate")
    return site.slug, key, [p.code for p in passes]


def start_gunicorn(env: dict, port: int, workers: int, worker_class: str, threads: int) -> subprocess.Popen:
    command = [
        str(BASE / ".venv" / "bin" / "gunicorn"),
        "bazaarche.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--log-level",
        "warning",
    ]
    if worker_class == "gthread":
        command += ["--threads", str(threads), "--keep-alive", "5"]
    return subprocess.Popen(command, cwd=BASE, env=env)


def wait_ready(port: int, key: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/gate/", headers={"Authorization": f"Token {key}"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def drive(port: int, key: str, site: str, codes: list[str], scans: int, clients: int, seed: int):
    rng = random.Random(seed)
    plan = []
    for _ in range(scans):
        code = rng.choice(codes)
        if rng.random() < 0.05:  # an altered code: one character changed
            i = rng.randrange(len(code))
            code = code[:i] + ("X" if code[i] != "X" else "Y") + code[i + 1 :]
        plan.append(code)
    chunks = [plan[i::clients] for i in range(clients)]
    latencies: list[float] = []
    results: Counter = Counter()
    errors: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(chunk: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, seen, failed = [], Counter(), Counter()
        barrier.wait()
        for code in chunk:
            body = json.dumps({"code": code, "site": site})
            headers = {
                "Authorization": f"Token {key}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/checkin/", body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                failed[type(error).__name__] += 1
                conn.close()
                continue
            mine.append(time.perf_counter() - started)
            if response.status == 200:
                seen[json.loads(data)["result"]] += 1
            else:
                failed[f"HTTP {response.status}"] += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            results.update(seen)
            errors.update(failed)

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, results, errors


def double_admissions() -> tuple[int, int]:
    from django.db.models import Count

    from booths.models import Admission

    admitted = Admission.objects.filter(result=Admission.Result.ADMITTED)
    doubles = admitted.values("pass_obj", "date").annotate(n=Count("id")).filter(n__gt=1).count()
    return doubles, admitted.count()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passes", type=int, default=2000)
    parser.add_argument("--scans", type=int, default=8000)
    parser.add_argument("--clients", type=int, default=16)
    cores = os.cpu_count() or 1
    parser.add_argument("--workers", type=int, default=2 * cores, help="gunicorn workers (default 2×cores)")
    # Threaded workers keep connections alive, as gate phones do; `make serve` runs the same.
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=8, help="threads per gthread worker")
    parser.add_argument("--port", type=int, default=8103)
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="bz_bench_checkin")
    parser.add_argument("--seed", type=int, default=1405)
    args = parser.parse_args()

    url = recreate_database(args.server, args.database)
    env = os.environ | {
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "ERROR",
        "DATABASE_CONN_MAX_AGE": "600",
    }
    t = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=BASE, env=env, check=True)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bazaarche.settings")
    import django

    django.setup()
    slug, key, codes = build_site(args.passes)
    print(
        f"database {args.database}: migrated and {len(codes):,} passes made in {time.perf_counter() - t:.1f} s"
    )

    server = start_gunicorn(env, args.port, args.workers, args.worker_class, args.threads)
    try:
        wait_ready(args.port, key)
        kind = args.worker_class + (
            f", {args.threads} threads each" if args.worker_class == "gthread" else ""
        )
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"gunicorn: {args.workers} workers ({kind}) on {cores} cores; {args.clients} clients; load before {load}"
        )
        seconds, latencies, results, errors = drive(
            args.port, key, slug, codes, args.scans, args.clients, args.seed
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    from django.db import connection

    connection.close()
    doubles, admitted = double_admissions()
    done = len(latencies)
    latencies.sort()
    pct = lambda p: latencies[min(done - 1, int(p * done))] * 1000  # noqa: E731
    print(f"scans: {done:,} answered in {seconds:.2f} s = {done / seconds:,.0f} scans/s (goal ≥ 200)")
    print(
        f"latency ms: median {statistics.median(latencies) * 1000:.1f}, p95 {pct(0.95):.1f}, "
        f"p99 {pct(0.99):.1f}, max {latencies[-1] * 1000:.1f}"
    )
    print("results: " + ", ".join(f"{k} {v:,}" for k, v in sorted(results.items())))
    if errors:
        print("errors: " + ", ".join(f"{k} {v:,}" for k, v in sorted(errors.items())))
    print(f"admitted rows: {admitted:,}; double admissions: {doubles} (must be 0)")
    print("load average after: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    if doubles or errors or results["admitted"] != admitted:
        sys.exit(1)


if __name__ == "__main__":
    main()
