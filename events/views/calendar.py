"""Public calendar feeds (province, exhibition, site, county) and the page that lists them."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation

from events import calendar as ical
from events.models import Exhibition, Site
from vendors.models import County
from vendors.permissions import is_organiser


def _feed(request, sites, name, filename):
    """Answer a feed in the language asked for (links point at the pages in that language), from the
    cache while its sites are unchanged."""

    def build() -> bytes:
        with translation.override(ical.feed_language(request)):
            rows = ical.load_sites(sites)

            def site_url(site):
                return request.build_absolute_uri(reverse("site", args=[site.slug]))

            feed = ical.sites_feed(name(), ical.feed_description(len(rows)), rows, site_url)
            return ical.render(feed)

    return ical.cached_feed_response(request, sites, build, filename)


def _public_exhibition(slug) -> Exhibition:
    exhibition = get_object_or_404(Exhibition, slug=slug)
    if exhibition.status != Exhibition.Status.PUBLISHED and not (
        exhibition.status == Exhibition.Status.CANCELLED and exhibition.published_at
    ):
        raise Http404
    return exhibition


def province_feed(request):
    sites = ical.recent(ical.feed_sites(Site.objects.all()), timezone.localdate())
    return _feed(request, sites, ical.province_feed_name, "bazaarche.ics")


def exhibition_feed(request, slug):
    exhibition = _public_exhibition(slug)
    sites = ical.feed_sites(Site.objects.filter(exhibition=exhibition))
    return _feed(request, sites, lambda: ical.exhibition_feed_name(exhibition), f"{exhibition.slug}.ics")


def site_feed(request, slug):
    site = get_object_or_404(ical.feed_sites(Site.objects.all()), slug=slug)
    return _feed(
        request, Site.objects.filter(pk=site.pk), lambda: ical.site_feed_name(site), f"{site.slug}.ics"
    )


def county_feed(request, slug):
    county = get_object_or_404(County, slug=slug)
    sites = ical.recent(ical.feed_sites(Site.objects.filter(county=county)), timezone.localdate())
    return _feed(request, sites, lambda: ical.county_feed_name(county), f"{county.slug}.ics")


def subscribe(request):
    """Every public feed, with subscribe (webcal://) and download links."""
    today = timezone.localdate()
    upcoming = Q(
        sites__end_date__gte=today,
        sites__exhibition__status=Exhibition.Status.PUBLISHED,
    )
    counties = County.objects.annotate(upcoming=Count("sites", filter=upcoming)).filter(upcoming__gt=0)
    exhibitions = (
        Exhibition.objects.filter(status=Exhibition.Status.PUBLISHED, sites__end_date__gte=today)
        .distinct()
        .order_by("-published_at", "pk")
    )
    return render(
        request,
        "events/calendar/subscribe.html",
        {"counties": counties, "exhibitions": exhibitions},
    )


@login_required
def organiser_page(request):
    """The organiser's private deadlines feed: its address, and a button for a new secret."""
    if not is_organiser(request.user):
        raise PermissionDenied
    return render(request, "events/calendar/organiser.html", {"token": request.user.calendar_token})
