"""A call's opening rush: many vendors applying at once while visitors read the public pages.

    # with `make serve` running against the same DATABASE_URL, REDIS_URL and DJANGO_SECRET_KEY
    # (the sessions written here are signed with it; docs/deploy.md, 8):
    .venv/bin/python bench/rush.py http://127.0.0.1:8106 --registry 24000 --clients 50 100

Prepares, in the server's database, registry vendors up to --registry (each run adds what is missing)
and a site whose call opens now; gives the first vendors accounts and signed-in sessions (written to
the session store the server reads, so the sign-in limits are not what is measured). First, as
bench/page_speed.py does, a throttled Chromium loads four pages on a slow phone (cold cache, median of
--paint-runs). Then for each client count: --forms vendors load the apply page, and that many
of them at a time send it for --seconds (each client sends the next vendor's form as soon as the last
was answered: a call that opens to thousands), while --visitors clients, in a process of their own,
read the home page as fast as they can; last, three submissions by one vendor at the same moment. It prints applications per second, latency percentiles, the visitors' figures, checks
that every redirect matched exactly one row and that the triple submission made one application, and
ends with the table of issue 20: each figure beside its goal.
Standard library plus the project; not part of `make test`.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import datetime
import http.client
import itertools
import multiprocessing
import os
import re
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bazaarche.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from booths.models import Application  # noqa: E402
from events.models import Exhibition  # noqa: E402
from tests import factories  # noqa: E402
from vendors.models import Vendor  # noqa: E402

MARK = "bench-rush"


def prepare(registry: int, accounts: int) -> tuple[str, list[str]]:
    """A site with an open call, and session keys of `accounts` vendors (of `registry` in all)."""
    mine = Vendor.objects.filter(business_name__startswith=MARK)
    have, last = mine.count(), mine.aggregate(last=Max("tracking_code"))["last"]
    # Each vendor takes two numbers (ours for its codes, the factory's for its national ID).
    factories._seq = itertools.count(int(last) - 1_500_000_000 + 2 if last else 2_000_000)
    for _ in range(max(0, registry - have)):
        n = next(factories._seq)
        factories.vendor(
            business_name=f"{MARK} {n}", mobile=f"0913{n:07d}", tracking_code=f"{1500000000 + n}"
        )
    factories._seq = itertools.count(int(time.time() * 1000) % 10**10)  # a new site and accounts per run
    # Earlier runs' calls leave the home page (as drafts), so that it stays the demo's and this call.
    Exhibition.objects.filter(slug__startswith="exhibition-", status=Exhibition.Status.PUBLISHED).update(
        status=Exhibition.Status.DRAFT
    )
    today, now = timezone.localdate(), timezone.now()
    site = factories.site(
        start_date=today + datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=14),
        applications_open=now - datetime.timedelta(minutes=1),
        applications_close=now + datetime.timedelta(days=5),
    )
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    keys = []
    for vendor in Vendor.objects.filter(business_name__startswith=MARK).order_by("pk")[:accounts]:
        if vendor.user is None:
            vendor.user = factories.user()
            vendor.save(update_fields=["user"])
        session = store()
        session[SESSION_KEY] = str(vendor.user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = vendor.user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return site.slug, keys


def connect(base: str) -> http.client.HTTPConnection:
    parts = urlsplit(base)
    return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)


def load_form(base: str, slug: str, session: str) -> tuple[dict, dict] | str:
    """The apply page as a vendor's browser has it: the form's fields and the headers to send them
    with, or why there is no form."""
    connection = connect(base)
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
    connection.request("GET", f"/sites/{slug}/apply/", headers={"Cookie": cookie})
    response = connection.getresponse()
    page = response.read().decode()
    connection.close()
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    day = re.search(r'name="days" value="([^"]+)"', page)
    if not (csrf and token and day):
        return f"no form ({response.status})"
    form = {"csrfmiddlewaretoken": token.group(1), "days": day.group(1), "helpers": "۰", "products": "گلیم"}
    headers = {
        "Cookie": f"{cookie}; csrftoken={csrf.group(1)}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return form, headers


def send_form(
    connection: http.client.HTTPConnection, base: str, slug: str, form: dict, headers: dict
) -> tuple[http.client.HTTPConnection, tuple[float, int, str]]:
    """POST the form; (the connection to go on with, (seconds, status, Location))."""
    began = time.perf_counter()
    try:
        connection.request("POST", f"/sites/{slug}/apply/", body=urlencode(form), headers=headers)
        answer = connection.getresponse()
    except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
        # The server closed an idle kept-alive connection: a browser opens a new one and sends the
        # form there, and so do we.
        connection.close()
        connection = connect(base)
        connection.request("POST", f"/sites/{slug}/apply/", body=urlencode(form), headers=headers)
        answer = connection.getresponse()
    answer.read()
    return connection, (time.perf_counter() - began, answer.status, answer.getheader("Location") or "")


def apply_once(base: str, slug: str, session: str, start: threading.Barrier, out: list) -> None:
    """Load the form, wait for the others, send it."""
    loaded = load_form(base, slug, session)
    start.wait()
    if isinstance(loaded, str):  # no form to send: counted as a failure of its own
        out.append((0.0, loaded, ""))
        return
    connection, result = send_form(connect(base), base, slug, *loaded)
    out.append(result)
    connection.close()


def keep_applying(base: str, slug: str, forms: collections.deque, until: float, out: list) -> None:
    """One vendor after another: send the next loaded form as soon as the last one was answered."""
    connection = connect(base)
    while time.perf_counter() < until:
        try:
            form, headers = forms.popleft()
        except IndexError:
            break
        connection, result = send_form(connection, base, slug, form, headers)
        out.append(result)
    connection.close()


def visit(base: str, stop: threading.Event, out: list) -> None:
    connection = connect(base)
    while not stop.is_set():
        began = time.perf_counter()
        connection.request("GET", "/", headers={"Accept-Encoding": "gzip", "Accept-Language": "fa"})
        connection.getresponse().read()
        out.append((began, time.perf_counter() - began))


def visitors_process(base: str, visitors: int, stop, send) -> None:
    """`visitors` threads read the home page until `stop`; sends back (when sent, seconds) of each."""
    seen: list[tuple[float, float]] = []
    readers = [threading.Thread(target=visit, args=(base, stop, seen)) for _ in range(visitors)]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join()
    send.send(seen)


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20)[-1]


def rush(
    base: str, slug: str, sessions: list[str], visitors: int, clients: int = 0, seconds: float = 0
) -> dict:
    """Vendors apply while `visitors` read the home page.

    With `clients`, that many vendors at a time for `seconds`: each client sends one loaded form after
    another, as the vendors of a call that opens to thousands do (their forms are loaded first, so
    what is measured is the sending). Without, every session's vendor sends at the same moment.
    """
    done: list = []
    # Preparing the call changed the public data: one visitor makes the home page again, as one would
    # have long before a call opens (the rush itself writes nothing the home page shows).
    warm = connect(base)
    warm.request("GET", "/", headers={"Accept-Encoding": "gzip", "Accept-Language": "fa"})
    warm.getresponse().read()
    warm.close()
    if clients:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            loaded = list(pool.map(lambda session: load_form(base, slug, session), sessions))
        done += [(0.0, why, "") for why in loaded if isinstance(why, str)]
        forms = collections.deque(form for form in loaded if not isinstance(form, str))
        start = threading.Barrier(clients + 1)
        until = [0.0]

        def client() -> None:
            start.wait()
            keep_applying(base, slug, forms, until[0], done)

        appliers = [threading.Thread(target=client) for _ in range(clients)]
    else:
        start = threading.Barrier(len(sessions) + 1)
        appliers = [threading.Thread(target=apply_once, args=(base, slug, s, start, done)) for s in sessions]
    # The visitors are other people's phones: a process of their own, so that their reading does not
    # hold the appliers' interpreter lock (perf_counter is the machine's monotonic clock in both).
    context = multiprocessing.get_context("fork")
    stop, (receive, send) = context.Event(), context.Pipe(duplex=False)
    readers = context.Process(target=visitors_process, args=(base, visitors, stop, send))
    readers.start()
    for thread in appliers:
        thread.start()
    if clients:
        until[0] = time.perf_counter() + seconds
    start.wait()
    began = time.perf_counter()
    for thread in appliers:
        thread.join()
    wall = time.perf_counter() - began
    stop.set()
    seen = receive.recv()
    readers.join()
    # The visitors' requests sent while the forms were on their way, not those before or after.
    during = [seconds for sent, seconds in seen if began <= sent <= began + wall]
    made = [location for _s, status, location in done if status == 302]
    failed = Counter(str(status) for _s, status, _location in done if status != 302)
    latencies = [seconds for seconds, status, _location in done if status == 302]
    figures = {
        "clients": clients or len(sessions),
        "rate": len(made) / wall,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": p95(latencies),
        "visitors_rate": len(during) / wall,
        "visitors_p95": p95(during),
        "redirects": len(made),
        "distinct": len(set(made)),
        "rows": Application.objects.filter(site__slug=slug).count(),
        "failed": dict(failed),
    }
    print(
        f"{figures['clients']:>4} vendors{' at a time' if clients else ' at once'}: "
        f"{figures['rate']:6.1f} applications/s, p50 {figures['p50']:.2f} s, p95 {figures['p95']:.2f} s; "
        f"visitors: {figures['visitors_rate']:6.1f} req/s, p95 {figures['visitors_p95']:.2f} s; "
        f"{figures['redirects']} redirects, {figures['distinct']} distinct, {figures['rows']} rows"
        + (f"; not applied: {figures['failed']}" if failed else "")
    )
    return figures


def spread(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.2f} s" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f}–{high:.2f} s"


def table(paint: list[dict], runs: list[dict], triple: dict) -> str:
    """The issue's table: what was measured beside the goal, and whether it holds."""
    rows = []
    for network, fcp_goal, load_goal in (
        ("400 kbit/s, 400 ms", 0.8, 2.5),
        ("3G, 1.6 Mbit/s, 150 ms", 0.4, None),
    ):
        mine = [r for r in paint if r["network"] == network]
        if not mine:
            continue
        fcps, loads = [r["fcp"] for r in mine], [r["load"] for r in mine]
        held = max(fcps) <= fcp_goal and (load_goal is None or max(loads) <= load_goal)
        goal = f"≤ {fcp_goal} s" + (f"; load ≤ {load_goal} s" if load_goal else "")
        rows.append(
            (
                f"first paint, 360 px, {network} ({', '.join(r['page'] for r in mine)})",
                f"{spread(fcps)}; load {spread(loads)}",
                goal,
                held,
            )
        )
    by_clients = {r["clients"]: r for r in runs}
    if 50 in by_clients:
        r = by_clients[50]
        rows.append(
            (
                "50 vendors applying at a time",
                f"{r['rate']:.0f} applications/s, p95 {r['p95']:.2f} s",
                "≥ 120/s with p95 ≤ 1 s",
                r["rate"] >= 120 and r["p95"] <= 1 and not r["failed"],
            )
        )
    if 100 in by_clients:
        r = by_clients[100]
        rows.append(
            (
                "100 vendors applying at a time",
                f"{r['rate']:.0f} applications/s, p95 {r['p95']:.2f} s",
                "p95 ≤ 2 s",
                r["p95"] <= 2 and not r["failed"],
            )
        )
    if runs:
        worst = max(r["visitors_p95"] for r in runs)
        rates = ", ".join(f"{r['visitors_rate']:.0f}" for r in runs)
        rows.append(
            (
                "visitors during the rush (home)",
                f"{rates} req/s, p95 ≤ {worst:.2f} s",
                "p95 ≤ 0.5 s",
                worst <= 0.5,
            )
        )
    whole = all(r["redirects"] == r["distinct"] == r["rows"] for r in runs)
    rows.append(
        (
            "every redirect is one row; 3 sends by one vendor",
            f"{'yes' if whole else 'NO'}; {triple['rows']} application(s)",
            "yes; 1",
            whole and triple["rows"] == 1,
        )
    )
    lines = ["| what | measured | goal | holds |", "|---|---|---|---|"]
    lines += [
        f"| {what} | {measured} | {goal} | {'yes' if held else 'NO'} |" for what, measured, goal, held in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base")
    parser.add_argument("--registry", type=int, default=24_000)
    parser.add_argument("--clients", type=int, nargs="+", default=[50, 100])
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=8, help="how long each count of vendors applies")
    parser.add_argument("--forms", type=int, default=1500, help="vendors ready to apply in each run")
    parser.add_argument(
        "--paint-runs", type=int, default=3, help="loads per page and network; 0 skips the browser"
    )
    args = parser.parse_args()
    base = args.base.rstrip("/")
    paint = []
    if args.paint_runs:
        import page_speed

        paint = page_speed.measure(base, args.paint_runs)
        page_speed.print_rows(paint, args.paint_runs)
    runs = []
    for clients in args.clients:
        slug, sessions = prepare(args.registry, args.forms)
        runs.append(rush(base, slug, sessions, args.visitors, clients, args.seconds))
    print("one vendor sending the form three times at once (must make one application):")
    slug, sessions = prepare(args.registry, 1)
    triple = rush(base, slug, sessions * 3, 0)
    print()
    print(table(paint, runs, triple))


if __name__ == "__main__":
    main()
