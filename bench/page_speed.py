"""First paint and load on a slow phone: Chromium with a throttled network, cold cache, median of three.

    .venv/bin/python bench/page_speed.py http://127.0.0.1:8000
    .venv/bin/python bench/page_speed.py http://127.0.0.1:8000 --runs 5 --width 360

Run against `make serve` (gunicorn, PostgreSQL, Redis, DEBUG off) with the demo loaded. For each
page (home, a site, the vendor directory, a vendor's own page signed in with a demo vendor's
password) and each network (400 kbit/s with 400 ms latency; 3G: 1.6 Mbit/s with 150 ms), a fresh
browser context with the cache disabled loads the page; the DevTools protocol throttles the network.
It prints the median first contentful paint, load event and bytes received over the runs.
Debian's Chromium (/usr/bin/chromium); nothing is downloaded. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import re
import statistics
import urllib.request

from playwright.sync_api import sync_playwright

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NETWORKS = {
    "400 kbit/s, 400 ms": {
        "latency": 400,
        "downloadThroughput": 400_000 / 8,
        "uploadThroughput": 400_000 / 8,
    },
    "3G, 1.6 Mbit/s, 150 ms": {
        "latency": 150,
        "downloadThroughput": 1_600_000 / 8,
        "uploadThroughput": 750_000 / 8,
    },
}
VENDOR = ("09165404914", "bazaarche-demo")  # the demo's vendor (README, The demo)

MEASURE = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  const bytes = performance.getEntriesByType('resource').reduce((n, r) => n + r.transferSize, nav.transferSize);
  return {fcp: paint ? paint.startTime : null, load: nav.loadEventEnd, bytes: bytes};
}"""


def pages(base: str) -> list[tuple[str, str, bool]]:
    """(name, address, signed in): the home page, its first site, the directory, the vendor's page."""
    with urllib.request.urlopen(base + "/", timeout=10) as response:
        home = response.read().decode("utf-8", "replace")
    site = re.search(r'href="(/sites/[\w-]+/)"', home)
    found = [("home", "/", False)]
    if site:
        found.append(("site", site.group(1), False))
    found += [("vendors", "/vendors/", False), ("me", "/me/", True)]
    return found


def load_once(browser, base: str, address: str, signed_in: bool, network: dict, width: int) -> dict:
    context = browser.new_context(
        viewport={"width": width, "height": 780}, device_scale_factor=2, locale="fa-IR"
    )
    page = context.new_page()
    if signed_in:  # sign in unthrottled: the bench measures the page, not the sign-in
        page.goto(base + "/signin/password/")
        page.fill("input[name=username]", VENDOR[0])
        page.fill("input[name=password]", VENDOR[1])
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", {"offline": False, **network})
    page.goto(base + address, wait_until="load", timeout=60_000)
    page.wait_for_timeout(200)  # the paint entry is queued after the frame
    figures = page.evaluate(MEASURE)
    context.close()
    return figures


def measure(base: str, runs: int = 3, width: int = 360) -> list[dict]:
    """Each network and page: the median first contentful paint and load (seconds) and bytes of `runs` loads."""
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for network_name, network in NETWORKS.items():
            for name, address, signed_in in pages(base):
                loads = [load_once(browser, base, address, signed_in, network, width) for _ in range(runs)]
                rows.append(
                    {
                        "network": network_name,
                        "page": name,
                        "fcp": statistics.median(r["fcp"] for r in loads if r["fcp"] is not None) / 1000,
                        "load": statistics.median(r["load"] for r in loads) / 1000,
                        "bytes": statistics.median(r["bytes"] for r in loads),
                    }
                )
        browser.close()
    return rows


def print_rows(rows: list[dict], runs: int) -> None:
    print(f"{'network':<24} {'page':<8} {'first paint':>12} {'load':>9} {'bytes':>8}   (median of {runs})")
    for r in rows:
        print(
            f"{r['network']:<24} {r['page']:<8} {r['fcp']:>10.2f} s {r['load']:>7.2f} s {r['bytes']:>8,.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base", help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--width", type=int, default=360)
    args = parser.parse_args()
    print_rows(measure(args.base.rstrip("/"), args.runs, args.width), args.runs)


if __name__ == "__main__":
    main()
