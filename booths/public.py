"""What visitors may see of booths: published placements, the public floor plan, the vendor directory.

A placement is public once the vendor has confirmed the booth the organiser offered, while the
application stays accepted, on an active site of a published exhibition. Draft allocation rows (assignments without an offer), offers still
waiting for the vendor (they may yet be declined), and declined, expired and withdrawn offers are
never public. Of a vendor, only the business name, category, county, description and photos are public.
"""

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import F, Prefetch, QuerySet
from django.utils.translation import gettext

from bazaarche.jalali import weekday_name
from bazaarche.text import fold
from booths.plans.drawing import HallDrawing, draw_hall
from events.models import Exhibition, Site
from events.schedule import SiteSchedule, week_end
from vendors.models import CategoryGroup, Vendor, VendorPhoto

from .models import Application, Assignment, Booth, Hall, Offer

PUBLIC_OFFERS = [Offer.Status.CONFIRMED]
OCCUPIED_FILL = "#99f6e4"
FREE_FILL = "#f3f4f6"
# Only these vendor fields ever reach a public page (no address, phone, national ID, birth date). The
# county tells two businesses of the same name apart; it says no more than where the vendor exhibits.
PUBLIC_VENDOR_FIELDS = ("id", "business_name", "description", "category", "county")


def public_assignments() -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        offer__isnull=False,
        offer__status__in=PUBLIC_OFFERS,
        # Withdrawing or rejecting an application leaves its confirmed offer as it was.
        application__status=Application.Status.ACCEPTED,
        booth__hall__site__status=Site.Status.ACTIVE,
        booth__hall__site__exhibition__status=Exhibition.Status.PUBLISHED,
    )


def public_vendors() -> QuerySet[Vendor]:
    """Vendors with at least one published placement, with only their public fields loaded."""
    vendor_ids = public_assignments().values("application__vendor_id")
    return (
        Vendor.objects.filter(pk__in=vendor_ids)
        .only(
            *PUBLIC_VENDOR_FIELDS,
            "category__title_fa",
            "category__title_en",
            "category__group",
            "county__name_fa",
            "county__name_en",
        )
        .select_related("category__group", "county")
    )


def site_ids_with_group(group: CategoryGroup) -> QuerySet:
    """Sites where a vendor of this category group has a published placement (for a subquery)."""
    return (
        public_assignments().filter(application__vendor__category__group=group).values("booth__hall__site_id")
    )


def shown_day(schedule: SiteSchedule, today: datetime.date) -> datetime.date | None:
    """The day a visitor most likely means: today when open, else the next open day, else the last one."""
    days = [d.date for d in schedule.open_days]
    if not days:
        return None
    return next((d for d in days if d >= today), days[-1])


@dataclass
class Placement:
    booth: Booth
    hall: Hall
    vendor: Vendor


def placements_on(site: Site, day: datetime.date | None) -> list[Placement]:
    """Who is at which booth on one day, ordered by hall and booth. One query."""
    if day is None:
        return []
    rows = (
        public_assignments()
        .filter(booth__hall__site=site, date=day)
        .select_related("booth__hall", "application__vendor__category")
        .only(
            "booth__code",
            "booth__hall__code",
            "booth__hall__name_fa",
            "booth__hall__name_en",
            "booth__hall__position",
            "booth__hall__site_id",
            *(f"application__vendor__{name}" for name in PUBLIC_VENDOR_FIELDS),
            "application__vendor__category__title_fa",
            "application__vendor__category__title_en",
            "application__vendor__category__group_id",
        )
        .order_by("booth__hall__position", "booth__hall__code", "booth__code")
    )
    return [Placement(a.booth, a.booth.hall, a.application.vendor) for a in rows]


@dataclass
class PublicHall:
    drawing: HallDrawing
    occupied: int


def public_plan(site: Site, placements: list[Placement], *, rtl: bool) -> list[PublicHall]:
    """Each hall drawn with draw_hall, its booths coloured by whether somebody is there that day."""
    halls = list(
        Hall.objects.filter(site=site)
        .order_by("position", "code")
        .prefetch_related(
            Prefetch(
                "booths",
                queryset=Booth.objects.order_by("row", "col", "code"),
            )
        )
    )
    vendor_at = {p.booth.pk: p.vendor for p in placements}
    result = []
    for hall in halls:
        drawing = draw_hall(hall, list(hall.booths.all()), rtl=rtl)
        occupied = 0
        for shape in drawing.shapes:
            shape.vendor = vendor_at.get(shape.booth.pk)
            if shape.vendor is not None:
                shape.fill = OCCUPIED_FILL
                occupied += 1
            elif not shape.booth.blocked:
                shape.fill = FREE_FILL
        result.append(PublicHall(drawing, occupied))
    return result


def search_vendors(vendors: list[Vendor], query: str) -> list[Vendor]:
    """Every word of the query, folded, must occur in the business name, category or description.

    Vendor.search_text also holds national IDs and mobiles, so it is never searched publicly.
    """
    words = [fold(word) for word in query.split()]
    words = [w for w in words if w]
    if not words:
        return vendors
    found = []
    for vendor in vendors:
        text = fold(vendor.business_name) + " " + fold(vendor.category.title) + " " + fold(vendor.description)
        if all(word in text for word in words):
            found.append(vendor)
    return found


@dataclass
class Appearance:
    """One site where a vendor exhibits: where, at which booths, on which days."""

    site: Site
    days: list[datetime.date] = field(default_factory=list)
    booths: list[str] = field(default_factory=list)
    last_day: datetime.date | None = None


def appearances(vendor: Vendor) -> list[Appearance]:
    """The vendor's published placements grouped by site, current and coming first, then past."""
    rows = (
        public_assignments()
        .filter(application__vendor=vendor)
        .select_related(
            "booth__hall__site__county", "booth__hall__site__venue", "booth__hall__site__exhibition"
        )
        .order_by("booth__hall__site__start_date", "booth__hall__site_id", "date")
    )
    result = []
    for _site_id, group in groupby(rows, key=lambda a: a.booth.hall.site_id):
        group = list(group)
        appearance = Appearance(site=group[0].booth.hall.site)
        for a in group:
            appearance.days.append(a.date)
            if a.booth.code not in appearance.booths:
                appearance.booths.append(a.booth.code)
        appearance.last_day = appearance.days[-1]
        result.append(appearance)
    return result


@dataclass
class Whereabouts:
    """Where a vendor exhibits next: a site and the vendor's days there this week, or the first day after."""

    site: Site
    days: list[datetime.date]
    this_week: bool

    @property
    def days_text(self) -> str:
        """The days as weekday names, runs of three or more shortened: «Saturday to Monday, Wednesday»."""
        runs: list[list[datetime.date]] = []
        for day in self.days:
            if runs and day == runs[-1][-1] + datetime.timedelta(days=1):
                runs[-1].append(day)
            else:
                runs.append([day])
        parts = []
        for run in runs:
            if len(run) >= 3:
                parts.append(
                    gettext("%(first)s to %(last)s")
                    % {"first": weekday_name(run[0]), "last": weekday_name(run[-1])}
                )
            else:
                parts.extend(weekday_name(day) for day in run)
        return gettext(", ").join(parts)


def whereabouts(vendor_ids: list[int], today: datetime.date) -> dict[int, Whereabouts]:
    """Each vendor's site this week with their days there, else their next published day. One query.

    This week is today to Friday (events.schedule.week_end); of two sites in one week, the first.
    """
    last_of_week = week_end(today)
    rows = (
        public_assignments()
        .filter(application__vendor_id__in=vendor_ids, date__gte=today)
        .annotate(vendor_id=F("application__vendor_id"))
        .select_related("booth__hall__site")
        .only(
            "date",
            "booth__hall__site__slug",
            "booth__hall__site__title_fa",
            "booth__hall__site__title_en",
        )
        .order_by("application__vendor_id", "date", "booth__hall__site_id")
    )
    found: dict[int, Whereabouts] = {}
    for row in rows:
        site = row.booth.hall.site
        entry = found.get(row.vendor_id)
        if entry is None:
            found[row.vendor_id] = Whereabouts(site, [row.date], row.date <= last_of_week)
        elif (
            entry.this_week
            and site.pk == entry.site.pk
            and row.date <= last_of_week
            and row.date != entry.days[-1]
        ):
            entry.days.append(row.date)
    return found


def vendor_photos(vendor: Vendor) -> list[VendorPhoto]:
    return list(vendor.photos.all())


def _exhibitors(site: Site, schedule: SiteSchedule, today: datetime.date):
    from events.site_sections import Exhibitors

    day = shown_day(schedule, today)
    return Exhibitors(
        "booths/visitors/_whos_there.html",
        {"whos_there_day": day, "placements": placements_on(site, day), "today": today},
    )


def register() -> None:
    """Let the events app's public pages show who exhibits (events never imports booths)."""
    from events import site_sections

    site_sections.exhibitors = _exhibitors
    site_sections.sites_with_group = site_ids_with_group
