"""The organiser dashboard's numbers: aggregations over the sites in a user's scope.

Every function runs a fixed number of queries whatever the amount of data (the database groups
and counts), so the dashboard stays fast for a province-wide exhibition. A county organiser's
scope is their county's sites (`sites_in_scope`), so other counties' numbers never reach them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.utils.translation import gettext_lazy as _

from booths.applications.priority import LEVELS
from booths.models import Admission, Application, Assignment
from booths.permissions import sites_in_scope
from events.models import Exhibition, Site
from events.schedule import build_schedule
from vendors.models import User


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: what it counts, how many, and optionally out of how many."""

    label: str
    value: int
    total: int | None = None
    key: str = ""

    @property
    def percent(self) -> float | None:
        if not self.total:
            return None
        return 100 * self.value / self.total


class DashboardFilters(forms.Form):
    """Exhibition and site filters, offering only what lies in the user's scope."""

    exhibition = forms.ModelChoiceField(
        label=_("Exhibition"), queryset=Exhibition.objects.none(), required=False, to_field_name="slug"
    )
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, to_field_name="slug"
    )

    def __init__(self, data=None, *, user: User):
        super().__init__(data or None)
        self.user = user
        scope = sites_in_scope(user)
        self.fields["exhibition"].queryset = Exhibition.objects.filter(sites__in=scope).distinct()
        self.fields["exhibition"].empty_label = _("All exhibitions")
        sites = scope.select_related("exhibition").order_by("-exhibition__created_at", "start_date", "pk")
        exhibition_slug = (data or {}).get("exhibition")
        if exhibition_slug:
            sites = sites.filter(exhibition__slug=exhibition_slug)
        self.fields["site"].queryset = sites
        self.fields["site"].empty_label = _("All sites")
        self.fields["site"].label_from_instance = lambda site: site.title

    def sites(self) -> QuerySet[Site]:
        """The sites the dashboard counts: the user's scope narrowed by the valid filters."""
        sites = sites_in_scope(self.user)
        if not self.is_bound or not self.is_valid():
            return sites
        if self.cleaned_data.get("exhibition"):
            sites = sites.filter(exhibition=self.cleaned_data["exhibition"])
        if self.cleaned_data.get("site"):
            sites = sites.filter(pk=self.cleaned_data["site"].pk)
        return sites

    @property
    def active(self) -> dict[str, str]:
        """The valid filters as query parameters, for export links."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value.slug for name, value in self.cleaned_data.items() if value}


def applications_in(sites: QuerySet[Site]) -> QuerySet[Application]:
    return Application.objects.filter(site__in=sites)


def _sorted_bars(rows, label_key: str, en_key: str | None, language_fa: bool) -> list[Bar]:
    bars = []
    for row in rows:
        label = row[label_key] if language_fa or not en_key else (row[en_key] or row[label_key])
        bars.append(Bar(label=label or "—", value=row["n"]))
    return sorted(bars, key=lambda bar: (-bar.value, bar.label))


def applications_by_county(sites: QuerySet[Site], language_fa: bool = True) -> list[Bar]:
    """Applications counted by the applicant's home county, most first."""
    rows = (
        applications_in(sites)
        .values("vendor__county__name_fa", "vendor__county__name_en")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _sorted_bars(rows, "vendor__county__name_fa", "vendor__county__name_en", language_fa)


def applications_by_group(sites: QuerySet[Site], language_fa: bool = True) -> list[Bar]:
    """Applications counted by the applicant's category group, most first."""
    rows = (
        applications_in(sites)
        .values("vendor__category__group__name_fa", "vendor__category__group__name_en")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _sorted_bars(
        rows, "vendor__category__group__name_fa", "vendor__category__group__name_en", language_fa
    )


def applications_by_status(sites: QuerySet[Site]) -> list[Bar]:
    """Applications in every status, in the order of the review workflow (zeros included)."""
    counts = dict(applications_in(sites).values_list("status").annotate(n=Count("pk")).order_by())
    return [
        Bar(label=str(label), value=counts.get(value, 0), key=value)
        for value, label in Application.Status.choices
    ]


@dataclass
class SiteOccupancy:
    """Booth-days assigned against booth-days available at one site, per open day and in all."""

    site: Site
    booths: int
    days: list[Bar] = field(default_factory=list)

    @property
    def assigned(self) -> int:
        return sum(day.value for day in self.days)

    @property
    def available(self) -> int:
        return sum(day.total or 0 for day in self.days)

    @property
    def percent(self) -> float | None:
        return 100 * self.assigned / self.available if self.available else None


def occupancy(sites: QuerySet[Site]) -> list[SiteOccupancy]:
    """Per site and open day: booths assigned out of the booths that are not blocked. Four queries."""
    sites = list(
        sites.select_related("exhibition", "county")
        .prefetch_related("hours", "exceptions")
        .annotate(n_booths=Count("halls__booths", filter=Q(halls__booths__blocked=False), distinct=True))
        .order_by("start_date", "pk")
    )
    assigned: dict[tuple[int, datetime.date], int] = {}
    rows = (
        Assignment.objects.filter(booth__hall__site__in=[s.pk for s in sites])
        .values_list("booth__hall__site_id", "date")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for site_id, date, n in rows:
        assigned[(site_id, date)] = n
    result = []
    for site in sites:
        schedule = build_schedule(site, list(site.hours.all()), list(site.exceptions.all()))
        open_dates = [day.date for day in schedule.open_days]
        # A day with assignments that is no longer open (a closure added later) still shows.
        extra = sorted({d for (sid, d) in assigned if sid == site.pk} - set(open_dates))
        days = [
            Bar(
                label=d.isoformat(),
                value=assigned.get((site.pk, d), 0),
                total=site.n_booths,
                key=d.isoformat(),
            )
            for d in sorted([*open_dates, *extra])
        ]
        result.append(SiteOccupancy(site=site, booths=site.n_booths, days=days))
    return result


@dataclass
class CheckIns:
    """Admitted scans: per day, per hour of the day (Tehran time), and per day and hour."""

    by_day: dict[datetime.date, int]
    by_hour: dict[int, int]
    by_day_hour: dict[tuple[datetime.date, int], int]

    @property
    def total(self) -> int:
        return sum(self.by_day.values())


def check_ins(sites: QuerySet[Site]) -> CheckIns:
    """Successful admissions grouped by day and local hour, in one query."""
    rows = (
        Admission.objects.filter(site__in=sites, result=Admission.Result.ADMITTED)
        .annotate(hour=ExtractHour("scanned_at"))
        .values_list("date", "hour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_day: dict[datetime.date, int] = defaultdict(int)
    by_hour: dict[int, int] = defaultdict(int)
    by_day_hour: dict[tuple[datetime.date, int], int] = {}
    for date, hour, n in rows:
        by_day[date] += n
        by_hour[hour] += n
        by_day_hour[(date, hour)] = n
    return CheckIns(
        by_day=dict(sorted(by_day.items())), by_hour=dict(sorted(by_hour.items())), by_day_hour=by_day_hour
    )


def _admitted_that_day():
    return Admission.objects.filter(
        pass_obj__application=OuterRef("application"), date=OuterRef("date"), result=Admission.Result.ADMITTED
    )


def past_assignments(sites: QuerySet[Site], today: datetime.date) -> QuerySet[Assignment]:
    """Booth-days already over, each marked with whether any pass of its application was admitted."""
    return Assignment.objects.filter(booth__hall__site__in=sites, date__lt=today).annotate(
        shown=Exists(_admitted_that_day())
    )


@dataclass(frozen=True)
class NoShow:
    """A vendor who missed booth-days they were given."""

    application_id: int
    business_name: str
    vendor_name: str
    tracking_code: str
    site_title: str
    missed: int


@dataclass
class NoShows:
    by_day: list[Bar]  # value: no-shows that day, total: booth-days assigned that day
    vendors: list[NoShow]

    @property
    def missed(self) -> int:
        return sum(day.value for day in self.by_day)

    @property
    def assigned(self) -> int:
        return sum(day.total or 0 for day in self.by_day)


def no_shows(
    sites: QuerySet[Site], today: datetime.date, limit: int = 20, language_fa: bool = True
) -> NoShows:
    """Past booth-days with no admitted scan of the application's passes that day. Two queries."""
    rows = (
        past_assignments(sites, today)
        .values("date")
        .annotate(total=Count("pk"), missed=Count("pk", filter=Q(shown=False)))
        .order_by("date")
    )
    by_day = [
        Bar(
            label=row["date"].isoformat(),
            value=row["missed"],
            total=row["total"],
            key=row["date"].isoformat(),
        )
        for row in rows
    ]
    worst = (
        past_assignments(sites, today)
        .filter(shown=False)
        .values(
            "application_id",
            "application__vendor__business_name",
            "application__vendor__first_name",
            "application__vendor__last_name",
            "application__vendor__tracking_code",
            "application__site__title_fa",
            "application__site__title_en",
        )
        .annotate(missed=Count("pk"))
        .order_by("-missed", "application_id")[:limit]
    )
    vendors = [
        NoShow(
            application_id=row["application_id"],
            business_name=row["application__vendor__business_name"],
            vendor_name=f"{row['application__vendor__first_name']} {row['application__vendor__last_name']}",
            tracking_code=row["application__vendor__tracking_code"],
            site_title=(
                row["application__site__title_fa"]
                if language_fa
                else row["application__site__title_en"] or row["application__site__title_fa"]
            ),
            missed=row["missed"],
        )
        for row in worst
    ]
    return NoShows(by_day=by_day, vendors=vendors)


def priority_served(sites: QuerySet[Site]) -> list[Bar]:
    """Per priority level, highest first: applications given at least one booth-day (value) out of
    applications made (total). Withdrawn applications are left out: they asked for nothing."""
    placed = Assignment.objects.filter(application=OuterRef("pk"))
    rows = (
        applications_in(sites)
        .exclude(status=Application.Status.WITHDRAWN)
        .annotate(placed=Exists(placed))
        .values("priority")
        .annotate(applied=Count("pk"), served=Count("pk", filter=Q(placed=True)))
        .order_by()
    )
    counts = {row["priority"]: (row["served"], row["applied"]) for row in rows}
    levels = sorted(set(LEVELS) | set(counts), reverse=True)
    return [
        Bar(
            label=str(level),
            value=counts.get(level, (0, 0))[0],
            total=counts.get(level, (0, 0))[1],
            key=str(level),
        )
        for level in levels
    ]


@dataclass
class Dashboard:
    """Everything the dashboard page shows, computed for one set of sites."""

    by_county: list[Bar]
    by_group: list[Bar]
    by_status: list[Bar]
    occupancy: list[SiteOccupancy]
    check_ins: CheckIns
    no_shows: NoShows
    priority: list[Bar]

    @property
    def applications(self) -> int:
        return sum(bar.value for bar in self.by_status)

    @property
    def booth_days_assigned(self) -> int:
        return sum(site.assigned for site in self.occupancy)

    @property
    def booth_days_available(self) -> int:
        return sum(site.available for site in self.occupancy)


def build_dashboard(sites: QuerySet[Site], today: datetime.date, language_fa: bool = True) -> Dashboard:
    return Dashboard(
        by_county=applications_by_county(sites, language_fa),
        by_group=applications_by_group(sites, language_fa),
        by_status=applications_by_status(sites),
        occupancy=occupancy(sites),
        check_ins=check_ins(sites),
        no_shows=no_shows(sites, today, language_fa=language_fa),
        priority=priority_served(sites),
    )
