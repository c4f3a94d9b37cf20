"""The demo's exhibitions, venues, sites and halls, made from the tables of booths.demo.data.

Venues are upserted by county and name, so reloading never duplicates one; the exhibitions, and
with them their sites, halls and booths, are deleted and made again on every load.
"""

from __future__ import annotations

import datetime
import itertools
import random
from decimal import Decimal

from booths.models import Booth, Hall, Zone
from events.models import DayException, Exhibition, OpeningHours, Site, SiteQuota, Venue
from events.schedule import build_schedule
from vendors.models import CategoryGroup, County, Province

from . import data
from .state import Demo, SiteBuild


def _venue(county: County, spec: data.VenueSpec) -> Venue:
    venue, _ = Venue.objects.update_or_create(
        county=county,
        name_fa=spec.name_fa,
        defaults={
            "name_en": spec.name_en,
            "address_fa": spec.address_fa,
            "address_en": spec.address_en,
            "latitude": Decimal(spec.latitude),
            "longitude": Decimal(spec.longitude),
        },
    )
    return venue


def _time(text: str | None) -> datetime.time | None:
    return datetime.time.fromisoformat(text) if text else None


def _site(demo: Demo, exhibition: Exhibition, county: County, spec: data.SiteSpec) -> Site:
    window = spec.window
    return Site.objects.create(
        exhibition=exhibition,
        slug=spec.slug,
        county=county,
        venue=_venue(county, spec.venue),
        title_fa=spec.title_fa,
        title_en=spec.title_en,
        start_date=demo.today + datetime.timedelta(days=spec.start),
        end_date=demo.today + datetime.timedelta(days=spec.end),
        # Calls open at 08:00 and close at 20:00, as an office would announce them.
        applications_open=demo.on(window[0], 8) if window else None,
        applications_close=demo.on(window[1], 20) if window else None,
        helpers_per_booth=2,
        confirm_days=3,
    )


def _schedule(site: Site, spec: data.SiteSpec) -> list[str]:
    """The site's weekly hours and exceptional days; returns its open days."""
    opens, closes = _time(spec.hours[0]), _time(spec.hours[1])
    rows = OpeningHours.objects.bulk_create(
        OpeningHours(site=site, weekday=weekday, opens=opens, closes=closes)
        for weekday in sorted(spec.weekdays)
    )
    exceptions = DayException.objects.bulk_create(
        DayException(
            site=site,
            date=site.start_date + datetime.timedelta(days=day.after),
            closed=day.closed,
            opens=_time(day.opens),
            closes=_time(day.closes),
            reason_fa=day.reason_fa,
            reason_en=day.reason_en,
            estimated=day.estimated,
        )
        for day in spec.days
    )
    return [day.date.isoformat() for day in build_schedule(site, rows, exceptions).open_days]


def _booth(hall: Hall, spec: data.HallSpec, row: int, col: int, rng: random.Random) -> Booth:
    corner = col in (0, spec.cols - 1)
    kind = Booth.Type.CORNER if corner else Booth.Type.STANDARD
    if spec.island_row == row and not corner:
        kind = Booth.Type.ISLAND
    return Booth(
        hall=hall,
        code=f"{spec.code}-{row * spec.cols + col + 1:02d}",
        zone=spec.zones[0] if row < (spec.rows + 1) // 2 else spec.zones[1],
        type=kind,
        size_m2=Decimal(12 if corner else 16 if kind == Booth.Type.ISLAND else 9),
        has_power=spec.power_everywhere or row in (0, spec.rows - 1) or rng.random() < 0.3,
        has_water=col == 0 or (row == 0 and col == spec.cols - 1),
        accessible=row == 0 and col < 3,
        outdoor=spec.outdoor,
        price=spec.corner_price if corner else 0,
        blocked=(row, col) in spec.blocked,
        row=row + 1,
        col=col + 1,
    )


def _hall(demo: Demo, site: Site, spec: data.HallSpec, position: int) -> list[Booth]:
    hall = Hall.objects.create(
        site=site,
        code=spec.code,
        name_fa=spec.name_fa,
        name_en=spec.name_en,
        rows=spec.rows,
        cols=spec.cols,
        position=position,
    )
    booths = Booth.objects.bulk_create(
        _booth(hall, spec, row, col, demo.rng) for row in range(spec.rows) for col in range(spec.cols)
    )
    Through = Booth.neighbours.through
    Through.objects.bulk_create(
        Through(from_booth_id=a.pk, to_booth_id=b.pk)
        for left, right in itertools.pairwise(booths)
        if left.row == right.row
        for a, b in ((left, right), (right, left))
    )
    return booths


def _zones(site: Site, booths: list[Booth]) -> None:
    codes = sorted({booth.zone for booth in booths if booth.zone} & set(data.ZONE_WORDS))
    Zone.objects.bulk_create(
        Zone(
            site=site,
            code=code,
            name_fa=data.ZONE_WORDS[code][0],
            name_en=data.ZONE_WORDS[code][1],
            description_fa=data.ZONE_WORDS[code][2],
            description_en=data.ZONE_WORDS[code][3],
        )
        for code in codes
    )


def _rules(
    site: Site, spec: data.SiteSpec, counties: dict[str, County], groups: dict[str, CategoryGroup]
) -> None:
    """Who may apply, and the share of booths a category group may take."""
    if spec.quota and spec.quota[0] in groups:
        SiteQuota.objects.create(site=site, group=groups[spec.quota[0]], max_percent=spec.quota[1])
    if spec.eligible_counties:
        site.eligible_counties.set([counties[s] for s in spec.eligible_counties if s in counties])
    if spec.eligible_groups:
        site.eligible_groups.set([groups[s] for s in spec.eligible_groups if s in groups])


def exhibitions(
    demo: Demo, province: Province, counties: dict[str, County], groups: dict[str, CategoryGroup]
) -> None:
    """Every exhibition and site of data.py, with its halls, booths, zones and rules."""
    organiser = demo.staff["province"]
    made = {}
    for spec in data.EXHIBITIONS:
        made[spec.slug] = Exhibition.objects.create(
            province=province,
            slug=spec.slug,
            title_fa=spec.title_fa,
            title_en=spec.title_en,
            description_fa=spec.description_fa,
            description_en=spec.description_en,
            status=Exhibition.Status.PUBLISHED if spec.published else Exhibition.Status.DRAFT,
            published_at=demo.on(-30, 10) if spec.published else None,
            created_by=organiser,
        )
    for spec in data.SITES:
        county = counties[spec.county]
        site = _site(demo, made[spec.exhibition], county, spec)
        open_days = _schedule(site, spec)
        booths = [b for n, hall in enumerate(spec.halls) for b in _hall(demo, site, hall, n)]
        _zones(site, booths)
        _rules(site, spec, counties, groups)
        runs_it = demo.staff.get(spec.county, organiser)  # a county's own organiser, where it has one
        zones = sorted({b.zone for b in booths if b.zone})
        demo.builds[spec.slug] = SiteBuild(site, open_days, zones, runs_it)
