"""Visitors' pages about booths: a site's floor plan with who is where, the vendor directory, a vendor."""

import datetime
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_bidi, gettext

from bazaarche.jalali import format_date
from bazaarche.text import normalize
from booths.public import (
    appearances,
    placements_on,
    public_plan,
    public_vendors,
    search_vendors,
    shown_day,
    whereabouts,
)
from events.models import Site
from events.permissions import can_view_site
from events.public_cache import cached_public_page
from events.schedule import schedule_for
from events.sharing import open_graph
from vendors.models import CategoryGroup, VendorPhoto

VENDORS_PER_PAGE = 30
PHONE_WIDTH = 320  # CSS pixels a plan has on a 360-pixel phone, less the page's margins


def _partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


@cached_public_page
def site_plan(request, slug: str):
    """The halls of a site on one open day, booths coloured when somebody is there, and the list."""
    site = get_object_or_404(
        Site.objects.select_related("exhibition", "county", "venue").prefetch_related("hours", "exceptions"),
        slug=slug,
    )
    if not can_view_site(request.user, site):
        raise Http404
    schedule = schedule_for(site)
    open_days = [d.date for d in schedule.open_days]
    today = timezone.localdate()
    day, error = shown_day(schedule, today), ""
    if request.GET.get("day"):
        try:
            asked = datetime.date.fromisoformat(request.GET["day"])
        except ValueError:
            asked = None
        if asked in open_days:
            day = asked
        else:
            error = gettext("The site is not open on that day; showing %(day)s instead.") % {
                "day": format_date(day, "weekday") if day else "—"
            }
    placements = placements_on(site, day)
    index = open_days.index(day) if day in open_days else -1
    plan_url = reverse("visitor-plan", args=[site.slug])
    halls = public_plan(site, placements, rtl=get_language_bidi())
    context = {
        "site": site,
        "exhibition": site.exhibition,
        "day": day,
        "today": today,
        "error": error,
        "open_days": open_days,
        "previous_day": open_days[index - 1] if index > 0 else None,
        "next_day": open_days[index + 1] if 0 <= index < len(open_days) - 1 else None,
        "plan_url": plan_url,
        "halls": halls,
        "blocked_booths": any(hall.drawing.counts["blocked"] for hall in halls),
        # A hall wider than a phone scrolls in its own box; the first one says so.
        "first_wide_hall": next((hall for hall in halls if hall.drawing.px_width > PHONE_WIDTH), None),
        "placements": placements,
        "og": open_graph(
            request,
            gettext("Floor plan: %(site)s") % {"site": site.title},
            gettext("Who is at which booth, day by day."),
        ),
    }
    if _partial(request):
        return render(request, "booths/visitors/plan.html#day-plan", context)
    return render(request, "booths/visitors/plan.html", context)


def _directory_url(group: CategoryGroup | None, query: str, page: int | None = None) -> str:
    params = [
        ("category", group.slug if group else ""),
        ("q", query),
        ("page", page if page and page > 1 else ""),
    ]
    encoded = urlencode([(k, v) for k, v in params if v])
    return reverse("visitor-vendors") + (f"?{encoded}" if encoded else "")


@cached_public_page
def vendor_directory(request):
    """Vendors who exhibit, by category group, searched by business name, category and description."""
    group = None
    if request.GET.get("category"):
        group = get_object_or_404(CategoryGroup, slug=request.GET["category"])
    query = normalize(request.GET.get("q", ""))[:100]
    vendors = public_vendors().order_by("business_name", "pk")
    if group is not None:
        vendors = vendors.filter(category__group=group)
    found = search_vendors(list(vendors), query)
    page = Paginator(found, VENDORS_PER_PAGE).get_page(request.GET.get("page"))
    prefetch_related_objects(
        page.object_list, Prefetch("photos", queryset=VendorPhoto.objects.order_by("position", "id"))
    )
    where = whereabouts([v.pk for v in page.object_list], timezone.localdate())
    for vendor in page.object_list:
        vendor.where = where.get(vendor.pk)
    groups = list(CategoryGroup.objects.all())
    context = {
        "page": page,
        "count": len(found),
        "group": group,
        "query": query,
        "groups": [(g, _directory_url(g, query)) for g in groups],
        "all_groups_url": _directory_url(None, query),
        "previous_url": _directory_url(group, query, page.previous_page_number())
        if page.has_previous()
        else "",
        "next_url": _directory_url(group, query, page.next_page_number()) if page.has_next() else "",
        "og": open_graph(
            request,
            gettext("Home businesses at the bazaars"),
            gettext("Find a home business by its products or category, and where and when it exhibits."),
        ),
    }
    if _partial(request):
        return render(request, "booths/visitors/vendors.html#results", context)
    return render(request, "booths/visitors/vendors.html", context)


@cached_public_page
def vendor_page(request, pk: int):
    """A vendor's public page: business name, category, description, photos, where and when."""
    vendor = get_object_or_404(public_vendors(), pk=pk)
    photos = list(vendor.photos.order_by("position", "id"))
    today = timezone.localdate()
    shown = appearances(vendor)
    image = photos[0].image.url if photos else ""
    return render(
        request,
        "booths/visitors/vendor.html",
        {
            "vendor": vendor,
            "photos": photos,
            "current": [a for a in shown if a.last_day >= today],
            "past": [a for a in shown if a.last_day < today],
            "today": today,
            "og": open_graph(
                request, vendor.business_name, vendor.description or vendor.category.title, image
            ),
        },
    )
