"""A load run against a running Bazaarche: many keep-alive clients over the public pages.

    python bench/load.py http://127.0.0.1:8106 --clients 50 --seconds 30

Finds its addresses on the server itself (home → a site → its floor plan, calendar feed and
stylesheet; the exhibition page), unless given with --path. Clients are threads spread over a few
processes, so the client's own GIL does not cap the figures; each keeps one HTTP/1.1 connection
open, like a browser. Prints requests per second, latency percentiles and errors, in all and per
address. Standard library only; nothing here runs in `make test`.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import random
import re
import statistics
import sys
import threading
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from urllib.parse import urlsplit

HEADERS = {"Accept-Encoding": "gzip", "Accept-Language": "fa", "User-Agent": "bazaarche-load/1"}


def _get(base: str, path: str) -> str:
    request = urllib.request.Request(base + path, headers={"User-Agent": HEADERS["User-Agent"]})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode("utf-8", "replace")


def discover(base: str) -> list[str]:
    """Public addresses to load, found by following the pages' own links."""
    paths = ["/"]
    home = _get(base, "/")
    site = re.search(r'href="(/sites/[\w-]+/)"', home)
    if site is None:
        return paths
    paths.append(site.group(1))
    page = _get(base, site.group(1))
    exhibition = re.search(r'href="(/exhibitions/[\w-]+/)"', page)
    if exhibition:
        paths.append(exhibition.group(1))
    slug = site.group(1).strip("/").split("/")[-1]
    plan = re.search(rf'href="(/sites/{slug}/[\w/-]*plan[\w/-]*)"', page)
    if plan:
        paths.append(plan.group(1))
    feed = re.search(r'href="((?:https?://[^/"]+)?/[^"]*\.ics(?:\?[^"]*)?)"', page)
    if feed:
        paths.append(urlsplit(feed.group(1).replace("&amp;", "&"))._replace(scheme="", netloc="").geturl())
    css = re.search(r'href="(/static/[^"]+\.css)"', page)
    if css:
        paths.append(css.group(1))
    return paths


def _client(host: str, port: int, paths: list[str], deadline: float, out: list) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    order = list(range(len(paths)))
    random.shuffle(order)
    n = 0
    while time.perf_counter() < deadline:
        index = order[n % len(order)]
        n += 1
        started = time.perf_counter()
        try:
            connection.request("GET", paths[index], headers=HEADERS)
            response = connection.getresponse()
            response.read()
            ok = response.status < 400
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            ok, status = False, type(error).__name__
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
        out.append((index, time.perf_counter() - started, ok, status))
    connection.close()


def _process(host: str, port: int, paths: list[str], clients: int, start_at: float, seconds: float) -> list:
    while time.time() < start_at:  # every process starts together
        time.sleep(0.001)
    deadline = time.perf_counter() + seconds
    results: list = []
    threads = [
        threading.Thread(target=_client, args=(host, port, paths, deadline, results)) for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", help="the server, e.g. http://127.0.0.1:8106")
    parser.add_argument("--clients", type=int, default=50, help="concurrent connections (default 50)")
    parser.add_argument("--seconds", type=float, default=30, help="how long to run (default 30)")
    parser.add_argument("--processes", type=int, default=min(4, multiprocessing.cpu_count()))
    parser.add_argument(
        "--path", action="append", help="an address to load (repeatable); default: discovered"
    )
    args = parser.parse_args(argv)

    base = args.base.rstrip("/")
    parts = urlsplit(base)
    paths = args.path or discover(base)
    print(f"Loading {base} with {args.clients} clients for {args.seconds:g} s over:")
    for path in paths:
        print(f"  {path}")
    per_process = [
        args.clients // args.processes + (i < args.clients % args.processes) for i in range(args.processes)
    ]
    start_at = time.time() + 1
    with ProcessPoolExecutor(max_workers=args.processes) as pool:
        futures = [
            pool.submit(_process, parts.hostname, parts.port or 80, paths, n, start_at, args.seconds)
            for n in per_process
            if n
        ]
        results = [row for future in futures for row in future.result()]

    def report(label: str, rows: list) -> None:
        latencies = sorted(row[1] * 1000 for row in rows)
        errors = sum(1 for row in rows if not row[2])
        print(
            f"{label:<40} {len(rows):>8} req {len(rows) / args.seconds:>9.1f} req/s "
            f"p50 {_percentile(latencies, 50):>7.1f} ms  p95 {_percentile(latencies, 95):>7.1f} ms  "
            f"p99 {_percentile(latencies, 99):>7.1f} ms  errors {errors}"
        )

    print()
    report("all", results)
    for index, path in enumerate(paths):
        report(path[:40], [row for row in results if row[0] == index])
    statuses = sorted({str(row[3]) for row in results if not row[2]})
    if statuses:
        print("error kinds:", ", ".join(statuses))
    return 0 if all(row[2] for row in results) else 1


if __name__ == "__main__":
    sys.exit(main())
