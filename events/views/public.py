"""Public pages: what is on, an exhibition, a site."""

from itertools import groupby

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from events.models import Exhibition, Site
from events.permissions import can_view_exhibition, can_view_site
from events.schedule import open_state, same_hours_every_day, schedule_for, week_order, weekly_label
from vendors.models import County


def public_sites():
    return (
        Site.objects.filter(exhibition__status=Exhibition.Status.PUBLISHED, status=Site.Status.ACTIVE)
        .select_related("exhibition", "county", "venue")
        .prefetch_related("hours")
    )


def with_weekly_labels(sites) -> list[Site]:
    sites = list(sites)
    for site in sites:
        site.weekly_label = weekly_label(list(site.hours.all()))
    return sites


def home(request):
    """Current and coming sites, grouped by county; ?county=slug narrows to one county."""
    today = timezone.localdate()
    sites = public_sites().filter(end_date__gte=today).order_by("county__name_fa", "start_date", "pk")
    county = None
    if request.GET.get("county"):
        county = get_object_or_404(County, slug=request.GET["county"])
        sites = sites.filter(county=county)
    sites = with_weekly_labels(sites)
    by_county = [
        {
            "county": c,
            "now": [s for s in group if s.start_date <= today],
            "coming": [s for s in group if s.start_date > today],
        }
        for c, group in ((c, list(g)) for c, g in groupby(sites, key=lambda s: s.county))
    ]
    counties = County.objects.annotate(upcoming=Count("sites", filter=_upcoming_filter(today))).filter(
        upcoming__gt=0
    )
    return render(
        request,
        "events/home.html",
        {"by_county": by_county, "county": county, "counties": counties, "today": today},
    )


def _upcoming_filter(today):
    return Q(
        sites__end_date__gte=today,
        sites__status=Site.Status.ACTIVE,
        sites__exhibition__status=Exhibition.Status.PUBLISHED,
    )


def exhibition_detail(request, slug):
    exhibition = get_object_or_404(
        Exhibition.objects.select_related("province").prefetch_related(
            Prefetch(
                "sites",
                queryset=Site.objects.select_related("county", "venue")
                .prefetch_related("hours")
                .order_by("start_date", "pk"),
            )
        ),
        slug=slug,
    )
    if not can_view_exhibition(request.user, exhibition):
        raise Http404
    return render(
        request,
        "events/exhibition.html",
        {"exhibition": exhibition, "sites": with_weekly_labels(exhibition.sites.all())},
    )


def site_detail(request, slug):
    site = get_object_or_404(
        Site.objects.select_related("exhibition", "county", "venue").prefetch_related("hours", "exceptions"),
        slug=slug,
    )
    if not can_view_site(request.user, site):
        raise Http404
    schedule = schedule_for(site)
    hours = week_order(list(site.hours.all()))
    return render(
        request,
        "events/site.html",
        {
            "site": site,
            "exhibition": site.exhibition,
            "schedule": schedule,
            "state": open_state(schedule, timezone.localtime()),
            "hours": hours,
            "every_day": same_hours_every_day(hours),
            "weekly_label": weekly_label(hours),
        },
    )
