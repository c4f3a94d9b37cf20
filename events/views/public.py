"""Public pages: what is on (by county, day and category), an exhibition, a site."""

import datetime
from itertools import groupby
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from bazaarche.jalali import format_date_range, parse_jalali, to_jalali_string
from bazaarche.text import digits_for_language
from events import site_sections
from events.models import Exhibition, Site
from events.permissions import can_view_exhibition, can_view_site
from events.public_cache import cached_public_page
from events.schedule import (
    build_schedule,
    open_state,
    same_hours_every_day,
    schedule_for,
    week_order,
    weekly_label,
)
from events.sharing import open_graph
from vendors.models import CategoryGroup, County

WEEK = 7  # "this week" is today and the six days after it
WHEN_CHOICES = [
    ("today", gettext_lazy("Today")),
    ("week", gettext_lazy("This week")),
    ("later", gettext_lazy("Later")),
]


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


def _open_dates(site: Site) -> list[datetime.date]:
    """Open days from prefetched hours and exceptions; a site without hours counts every day."""
    schedule = build_schedule(site, list(site.hours.all()), list(site.exceptions.all()))
    if schedule.open_days or site.hours.all():
        return [d.date for d in schedule.open_days]
    return [
        site.start_date + datetime.timedelta(days=n)
        for n in range((site.end_date - site.start_date).days + 1)
    ]


def when_of(site: Site, today: datetime.date) -> str | None:
    """Which group a site is under: open today, next open within the week, or later (None: no open day left)."""
    coming = [d for d in site.open_dates if d >= today]
    if not coming:
        return None
    if coming[0] == today:
        return "today"
    return "week" if coming[0] < today + datetime.timedelta(days=WEEK) else "later"


def _home_filters(request) -> dict:
    """The filters from the query string; unknown county or category is a 404, a bad date a message."""
    filters = {"county": None, "group": None, "when": "", "date": None, "date_text": "", "error": ""}
    if request.GET.get("county"):
        filters["county"] = get_object_or_404(County, slug=request.GET["county"])
    if request.GET.get("category"):
        filters["group"] = get_object_or_404(CategoryGroup, slug=request.GET["category"])
    when = request.GET.get("when", "")
    if when in dict(WHEN_CHOICES):
        filters["when"] = when
    date_text = request.GET.get("date", "").strip()
    if date_text:
        try:
            filters["date"] = parse_jalali(date_text)
            filters["date_text"] = to_jalali_string(filters["date"])
        except ValueError:
            filters["date_text"] = date_text
            filters["error"] = gettext(
                "«%(text)s» is not a date we can read. Write a Jalali date such as %(example)s."
            ) % {"text": date_text, "example": digits_for_language(to_jalali_string(timezone.localdate()))}
    return filters


def home_url(filters: dict, **changes) -> str:
    """The home page's address with these filters, changed as given (None drops one)."""
    values = {
        "county": filters["county"].slug if filters["county"] else "",
        "category": filters["group"].slug if filters["group"] else "",
        "when": filters["when"],
        "date": filters["date_text"] if filters["date"] else "",
    }
    values.update({k: v or "" for k, v in changes.items()})
    if values["date"]:
        values["when"] = ""
    query = urlencode([(k, v) for k, v in values.items() if v])
    return reverse("home") + (f"?{query}" if query else "")


@cached_public_page
def home(request):
    """Sites open today, this week and later, by county; filtered by county, day and category."""
    today = timezone.localdate()
    filters = _home_filters(request)
    sites = (
        public_sites()
        .prefetch_related("exceptions")
        .filter(end_date__gte=filters["date"] or today)
        .order_by("county__name_fa", "start_date", "pk")
    )
    if filters["county"]:
        sites = sites.filter(county=filters["county"])
    if filters["group"]:
        with_group = site_sections.sites_with_group(filters["group"])
        if with_group is not None:
            sites = sites.filter(pk__in=with_group)
    if filters["date"]:
        sites = sites.filter(start_date__lte=filters["date"])
    sites = with_weekly_labels(sites)
    shown = []
    for site in sites:
        site.open_dates = _open_dates(site)
        site.when = when_of(site, today)
        site.next_open = next((d for d in site.open_dates if d >= today), None)
        if filters["date"]:
            if filters["date"] in site.open_dates:
                shown.append(site)
        elif site.when and (not filters["when"] or filters["when"] == site.when):
            shown.append(site)
    by_county = [
        {
            "county": c,
            "today": [s for s in group if s.when == "today" or filters["date"]],
            "week": [s for s in group if s.when == "week" and not filters["date"]],
            "later": [s for s in group if s.when == "later" and not filters["date"]],
        }
        for c, group in ((c, list(g)) for c, g in groupby(shown, key=lambda s: s.county))
    ]
    counties = County.objects.annotate(upcoming=Count("sites", filter=_upcoming_filter(today))).filter(
        upcoming__gt=0
    )
    groups = list(CategoryGroup.objects.all())
    context = {
        "by_county": by_county,
        "county": filters["county"],
        "filters": filters,
        "counties": [(c, home_url(filters, county=c.slug)) for c in counties],
        "all_counties_url": home_url(filters, county=None),
        "groups": [(g, home_url(filters, category=g.slug)) for g in groups],
        "all_groups_url": home_url(filters, category=None),
        "whens": [(value, label, home_url(filters, when=value, date=None)) for value, label in WHEN_CHOICES],
        "any_time_url": home_url(filters, when=None, date=None),
        "today": today,
        "date_example": to_jalali_string(today),
        "og": open_graph(
            request,
            gettext("Home-business exhibitions and bazaars"),
            gettext("What is on near you, where and when: exhibitions and bazaars of home businesses."),
        ),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "events/home.html#whats-on", context)
    return render(request, "events/home.html", context)


def _upcoming_filter(today):
    return Q(
        sites__end_date__gte=today,
        sites__status=Site.Status.ACTIVE,
        sites__exhibition__status=Exhibition.Status.PUBLISHED,
    )


def _poster_url(exhibition: Exhibition) -> str:
    return exhibition.poster.url if exhibition.poster else ""


@cached_public_page
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
    sites = with_weekly_labels(exhibition.sites.all())
    return render(
        request,
        "events/exhibition.html",
        {
            "exhibition": exhibition,
            "sites": sites,
            "og": open_graph(request, exhibition.title, exhibition.description, _poster_url(exhibition)),
        },
    )


def map_links(site: Site) -> dict | None:
    """OpenStreetMap, Neshan and a geo: link (phones open their map app) for the venue's point."""
    venue = site.venue
    if venue.latitude is None or venue.longitude is None:
        return None
    lat, lon = f"{venue.latitude:.6f}", f"{venue.longitude:.6f}"
    return {
        "osm": f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}",
        "neshan": f"https://neshan.org/maps/@{lat},{lon},16z",
        "geo": f"geo:{lat},{lon}",
    }


@cached_public_page
def site_detail(request, slug):
    site = get_object_or_404(
        Site.objects.select_related("exhibition", "county", "venue").prefetch_related("hours", "exceptions"),
        slug=slug,
    )
    if not can_view_site(request.user, site):
        raise Http404
    schedule = schedule_for(site)
    hours = week_order(list(site.hours.all()))
    today = timezone.localdate()
    label = weekly_label(hours)
    prefix = f"{label} · " if label else ""
    description = prefix + format_date_range(site.start_date, site.end_date) + " · " + site.venue.name
    context = {
        "site": site,
        "exhibition": site.exhibition,
        "schedule": schedule,
        "state": open_state(schedule, timezone.localtime()),
        "hours": hours,
        "every_day": same_hours_every_day(hours),
        "weekly_label": label,
        "maps": map_links(site),
        "og": open_graph(request, site.title, description, _poster_url(site.exhibition)),
    }
    exhibitors = site_sections.exhibitors(site, schedule, today)
    if exhibitors is not None:
        context |= exhibitors.context | {"exhibitors_template": exhibitors.template}
    return render(request, "events/site.html", context)
