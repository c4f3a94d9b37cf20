"""Printable QR posters of an exhibition or a site, as A4 PDF or PNG."""

import hashlib

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from events import poster
from events.models import Exhibition, Site
from events.permissions import can_view_exhibition, can_view_site

CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png"}
# Drawing a poster takes a tenth of a second or more; a public URL must not let anyone make the
# server do it again and again. The key changes whenever what is printed may have changed.
CACHE_SECONDS = 60 * 60


def _respond(key_parts: tuple, make_text, fmt: str, name: str) -> HttpResponse:
    key = "poster:" + hashlib.sha256(repr((*key_parts, fmt, get_language())).encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        image = poster.render(make_text())
        body = poster.pdf_bytes(image) if fmt == "pdf" else poster.png_bytes(image)
        cache.set(key, body, CACHE_SECONDS)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'inline; filename="poster-{name}.{fmt}"'
    return response


def exhibition_poster(request, slug: str, fmt: str):
    if fmt not in CONTENT_TYPES:
        raise Http404
    exhibition = get_object_or_404(Exhibition.objects.select_related("province"), slug=slug)
    if not can_view_exhibition(request.user, exhibition):
        raise Http404
    sites = list(exhibition.sites.select_related("county").order_by("start_date", "pk"))
    url = request.build_absolute_uri(reverse("exhibition", args=[exhibition.slug]))
    stamp = (exhibition.pk, exhibition.revision, exhibition.updated_at, [(s.pk, s.updated_at) for s in sites])
    return _respond(
        ("exhibition", stamp, url),
        lambda: poster.exhibition_text(exhibition, sites, url),
        fmt,
        exhibition.slug,
    )


def site_poster(request, slug: str, fmt: str):
    if fmt not in CONTENT_TYPES:
        raise Http404
    site = get_object_or_404(
        Site.objects.select_related("exhibition", "county", "venue").prefetch_related("hours", "exceptions"),
        slug=slug,
    )
    if not can_view_site(request.user, site):
        raise Http404
    url = request.build_absolute_uri(reverse("site", args=[site.slug]))
    hours = [(h.weekday, h.opens, h.closes) for h in site.hours.all()]
    exceptions = [(e.date, e.closed, e.opens, e.closes) for e in site.exceptions.all()]
    venue = (site.venue.name_fa, site.venue.name_en, site.venue.address_fa, site.venue.address_en)
    # The poster lists closures from today on, so it changes with the day too.
    today = timezone.localdate()
    stamp = (
        site.pk,
        site.sequence,
        site.updated_at,
        site.exhibition.updated_at,
        venue,
        hours,
        exceptions,
        today,
    )
    return _respond(("site", stamp, url), lambda: poster.site_text(site, url, today), fmt, site.slug)
