"""Benchmark of the calendar feeds: a province feed of about 10,000 events, in at most one second.

    .venv/bin/python bench/ical.py                 # 10,000 events
    .venv/bin/python bench/ical.py --events 50000 --repeat 5
    .venv/bin/python bench/ical.py --compare       # also icalendar's component model, for reference

Migrates an in-memory SQLite database, generates published sites in every county (festivals open
every day, some with changed hours and closures, and weekly bazaars whose changed days are overrides)
until the province feed holds the number of VEVENTs asked for, then times:

  build    events/calendar.py alone over rows already in memory (site_events + render),
  feed     the whole request: GET /calendar/province.ics through Django's test client, queries included,
           with the cache cleared first so the feed is built;
  again    the same request while the sites are unchanged, answered from the cache.

Each is the best of --repeat runs. It also checks that the feed parses with icalendar and counts its
VEVENTs, and prints the bytes, the number of queries and the ETag.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = "sqlite:///:memory:"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bazaarche.settings")
# The feed builds absolute links; the test client asks for "testserver".
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from events import calendar  # noqa: E402
from events.models import DayException, Exhibition, OpeningHours, Site, Venue  # noqa: E402
from vendors.models import County, Province  # noqa: E402

FESTIVAL_DAYS = 30
WEEKLY_WEEKS = 20


def generate(n_events: int, seed: int = 1) -> None:
    """Sites until the feed has n_events VEVENTs: 9 of 10 festivals (one event a day), 1 in 10 weekly."""
    rng = random.Random(seed)
    today = timezone.localdate()
    province = Province.objects.get()
    counties = list(County.objects.all())
    exhibition = Exhibition.objects.create(
        province=province,
        slug="bench",
        title_fa="نمایشگاه سراسری مشاغل خانگی",
        title_en="Province-wide home business fair",
        status=Exhibition.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    venues = {
        c.pk: Venue.objects.create(
            county=c,
            name_fa=f"نمایشگاه بین‌المللی {c.name_fa}",
            name_en=f"{c.name_en} fairground",
            address_fa=f"{c.name_fa}، بلوار شهید بهشتی، روبه‌روی پارک ملت",
            latitude=33 + rng.random(),
            longitude=48 + rng.random(),
        )
        for c in counties
    }
    events, n = 0, 0
    hours, exceptions = [], []
    while events < n_events:
        n += 1
        county = counties[n % len(counties)]
        weekly = n % 10 == 0
        start = today + datetime.timedelta(days=rng.randrange(-30, 120))
        days = WEEKLY_WEEKS * 7 - 1 if weekly else min(FESTIVAL_DAYS, n_events - events) - 1
        site = Site.objects.create(
            exhibition=exhibition,
            slug=f"site-{n}",
            title_fa=f"بازارچهٔ مشاغل خانگی {county.name_fa} {n}",
            title_en=f"{county.name_en} home business bazaar {n}",
            county=county,
            venue=venues[county.pk],
            start_date=start,
            end_date=start + datetime.timedelta(days=days),
            sequence=rng.randrange(0, 5),
        )
        if weekly:
            weekday = start.weekday()
            hours.append(
                OpeningHours(site=site, weekday=weekday, opens=datetime.time(8), closes=datetime.time(13))
            )
            for week in (3, 7, 11):
                exceptions.append(
                    DayException(site=site, date=start + datetime.timedelta(weeks=week), closed=True)
                )
            for week in (5, 9):
                exceptions.append(
                    DayException(
                        site=site,
                        date=start + datetime.timedelta(weeks=week),
                        closed=False,
                        opens=datetime.time(9),
                        closes=datetime.time(12),
                        reason_fa="ساعت کاری ویژه",
                    )
                )
            events += 1 + 2  # the recurrence and its two overrides
        else:
            hours += [
                OpeningHours(site=site, weekday=d, opens=datetime.time(16), closes=datetime.time(22))
                for d in range(7)
            ]
            exceptions.append(
                DayException(
                    site=site,
                    date=start + datetime.timedelta(days=rng.randrange(days + 1)),
                    closed=True,
                    reason_fa="تاسوعا",
                    estimated=True,
                )
            )
            events += days + 1  # a closed day stays, CANCELLED
    OpeningHours.objects.bulk_create(hours)
    DayException.objects.bulk_create(exceptions, ignore_conflicts=True)


def best(fn, repeat: int) -> tuple[float, float, object]:
    """Best wall-clock and best CPU time of repeat runs (CPU time says more on a busy machine)."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare", action="store_true", help="also time icalendar's component model")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    generate(args.events)
    translation.activate("fa")

    sites = calendar.load_sites(calendar.feed_sites(Site.objects.all()))

    def build() -> bytes:
        feed = calendar.sites_feed(
            "bench", "", sites, lambda s: f"https://bazaarche.example.ir/sites/{s.slug}/"
        )
        return calendar.render(feed)

    build_s, build_cpu, body = best(build, args.repeat)

    client = Client()

    def request(cold: bool):
        if cold:
            cache.clear()  # the feed is built, not taken from the cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/calendar/province.ics")
        assert response.status_code == 200, response.status_code
        return response, len(queries)

    feed_s, feed_cpu, (response, n_queries) = best(lambda: request(cold=True), args.repeat)
    cached_s, cached_cpu, (_, n_cached_queries) = best(lambda: request(cold=False), args.repeat)

    import icalendar

    t0 = time.perf_counter()
    parsed = icalendar.Calendar.from_ical(response.content)
    parse_s = time.perf_counter() - t0
    n_vevents = len(parsed.walk("VEVENT"))
    n_cancelled = sum(1 for e in parsed.walk("VEVENT") if e.get("STATUS") == "CANCELLED")
    n_recurring = sum(1 for e in parsed.walk("VEVENT") if "RRULE" in e)

    print(
        f"sites: {len(sites)}  VEVENTs: {n_vevents} ({n_recurring} weekly recurrences, {n_cancelled} cancelled)"
    )
    print(f"feed size: {len(response.content) / 1e6:.2f} MB  queries: {n_queries}  ETag: {response['ETag']}")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(
        f"build (events/calendar.py over rows in memory): {build_s * 1000:.0f} ms wall, {build_cpu * 1000:.0f} ms CPU"
    )
    print(
        f"feed  (GET /calendar/province.ics, built, queries included): {feed_s * 1000:.0f} ms wall, "
        f"{feed_cpu * 1000:.0f} ms CPU"
    )
    print(
        f"again (unchanged sites, from the cache, {n_cached_queries} query): {cached_s * 1000:.0f} ms wall, "
        f"{cached_cpu * 1000:.0f} ms CPU"
    )
    print(f"(for reference: icalendar parses it back in {parse_s * 1000:.0f} ms)")
    verdict = {True: "met", False: "NOT met"}
    print(
        f"goal: at most 1000 ms for {args.events} events -> wall {verdict[feed_s <= 1]}, CPU {verdict[feed_cpu <= 1]}"
    )
    assert len(body) > 0

    if args.compare:

        def with_components() -> bytes:
            feed = calendar.sites_feed(
                "bench", "", sites, lambda s: f"https://bazaarche.example.ir/sites/{s.slug}/"
            )
            return components(feed)

        compare_s, _, _ = best(with_components, 1)
        print(f"the same events through icalendar's component model: {compare_s * 1000:.0f} ms")


def components(feed: calendar.Feed) -> bytes:
    """The feed built with icalendar.Event objects, the way the writer replaced."""
    from icalendar import Calendar, Event, vRecur

    cal = Calendar()
    cal.add("prodid", calendar.PRODID)
    cal.add("version", "2.0")
    tz = calendar.tehran()
    for e in feed.events:
        event = Event()
        event.add("uid", e.uid)
        event.add("dtstamp", e.stamp)
        event.add("dtstart", e.start.replace(tzinfo=tz))
        event.add("dtend", e.end.replace(tzinfo=tz))
        if e.weekly_until:
            event.add("rrule", vRecur(freq="WEEKLY", until=e.weekly_until))
        event.add("sequence", e.sequence)
        event.add("status", e.status)
        event.add("summary", e.summary)
        event.add("description", e.description)
        event.add("location", e.location)
        if e.geo:
            event.add("geo", e.geo)
        event.add("url", e.url)
        cal.add_component(event)
    return cal.to_ical()


if __name__ == "__main__":
    main()
