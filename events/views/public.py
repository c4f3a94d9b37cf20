"""Public pages: what is on (by county, day and category), an exhibition, a site."""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from bazaarche.jalali import format_date_range, to_jalali_string
from bazaarche.text import digits_for_language, is_persian
from events import site_sections
from events.form_fields import parse_date
from events.models import Exhibition, Site
from events.permissions import can_view_exhibition, can_view_site
from events.public_cache import cached_public_page
from events.schedule import (
    LATER,
    OPEN_NOW,
    STANDINGS,
    THIS_WEEK,
    TODAY,
    Standing,
    build_schedule,
    daterange,
    open_state,
    same_hours_every_day,
    schedule_for,
    standing,
    week_order,
    weekly_label,
)
from events.sharing import open_graph
from vendors.models import CategoryGroup, County

WHEN_CHOICES = [
    ("today", gettext_lazy("Today")),
    ("week", gettext_lazy("This week")),
    ("later", gettext_lazy("Later")),
]
# The groups each "when" keeps: today is open now and later today, and this week includes today.
WHEN_KEEPS = {
    "today": {OPEN_NOW, TODAY},
    "week": {OPEN_NOW, TODAY, THIS_WEEK},
    "later": {LATER},
}
SECTION_LABELS = {
    OPEN_NOW: gettext_lazy("Open now"),
    TODAY: gettext_lazy("Open today"),
    THIS_WEEK: gettext_lazy("This week"),
    LATER: gettext_lazy("Later"),
}


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


OpenDayHours = tuple[datetime.date, datetime.time | None, datetime.time | None]


def _open_days(site: Site) -> list[OpenDayHours]:
    """Open days with their hours, from prefetched hours and exceptions; a site without hours counts every day."""
    schedule = build_schedule(site, list(site.hours.all()), list(site.exceptions.all()))
    if schedule.open_days or site.hours.all():
        return [(d.date, d.opens, d.closes) for d in schedule.open_days]
    return [(day, None, None) for day in daterange(site.start_date, site.end_date)]


def format_day(day: datetime.date) -> str:
    """The day as the filter shows it: 1405/09/16 (ASCII digits) in Persian, 2026-12-07 in English."""
    return to_jalali_string(day) if is_persian() else day.isoformat()


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
            filters["date"] = parse_date(date_text)
            filters["date_text"] = format_day(filters["date"])
        except ValueError:
            filters["date_text"] = date_text
            example = digits_for_language(format_day(timezone.localdate()))
            if is_persian():
                message = gettext(
                    "«%(text)s» is not a date we can read. Write a Jalali date such as %(example)s."
                )
            else:
                message = gettext("«%(text)s» is not a date we can read. Write a date such as %(example)s.")
            filters["error"] = message % {"text": date_text, "example": example}
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


def _sections(sites: list[Site], filters: dict, now: datetime.datetime) -> list[dict]:
    """The home page's groups: open now, later today, this week, later; or the sites open on the day asked.

    Within a group, sites come by their day and opening time, then by county (the order they came in).
    """
    if filters["date"]:
        shown = []
        for site in sites:
            day = next((d for d in site.open_days if d[0] == filters["date"]), None)
            if day is not None:
                site.that_day = Standing(TODAY, *day)
                shown.append(site)
        shown.sort(key=lambda s: s.that_day.sort_key())
        return [{"when": "day", "label": gettext("Open that day"), "sites": shown}] if shown else []
    keep = WHEN_KEEPS.get(filters["when"], set(STANDINGS))
    for site in sites:
        site.standing = standing(site.open_days, now)
    shown = sorted(
        (s for s in sites if s.standing is not None and s.standing.when in keep),
        key=lambda s: s.standing.sort_key(),
    )
    return [
        {"when": when, "label": SECTION_LABELS[when], "sites": group}
        for when in STANDINGS
        if (group := [s for s in shown if s.standing.when == when])
    ]


@cached_public_page
def home(request):
    """Sites open now, today, this week and later, soonest first; filtered by county, day and category.

    What is open now changes by the minute, and so does a cached page: the public page cache keeps a
    page for one minute-long slot at most (public_cache.TIME_SLOT), and hours are whole minutes.
    """
    now = timezone.localtime()
    today = now.date()
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
    for site in sites:
        site.open_days = _open_days(site)
    counties = County.objects.annotate(upcoming=Count("sites", filter=_upcoming_filter(today))).filter(
        upcoming__gt=0
    )
    groups = list(CategoryGroup.objects.all())
    context = {
        "sections": _sections(sites, filters, now),
        "county": filters["county"],
        "filters": filters,
        "counties": [(c, home_url(filters, county=c.slug)) for c in counties],
        "all_counties_url": home_url(filters, county=None),
        "groups": [(g, home_url(filters, category=g.slug)) for g in groups],
        "all_groups_url": home_url(filters, category=None),
        "whens": [(value, label, home_url(filters, when=value, date=None)) for value, label in WHEN_CHOICES],
        "any_time_url": home_url(filters, when=None, date=None),
        "today": today,
        "date_example": format_day(today),
        "date_label": gettext("On a day (Jalali)") if is_persian() else gettext("On a day"),
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
    now = timezone.localtime()
    today = now.date()
    state = open_state(schedule, now)
    label = weekly_label(hours)
    prefix = label + gettext(", ") if label else ""
    # Commas, not "·": beside a Persian digit a dot reads as a zero.
    description = prefix + format_date_range(site.start_date, site.end_date) + gettext(", ") + site.venue.name
    context = {
        "site": site,
        "exhibition": site.exhibition,
        "schedule": schedule,
        "state": state,
        "opens_today": state.next_opens is not None and state.next_opens.date() == today,
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
