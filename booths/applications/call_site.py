"""A call's site as the apply pages need it, fetched once per version of the public data.

In a call's opening rush every vendor's GET and POST needs the same site: its exhibition, county and
venue, its hours and closures (the open days), the groups and counties it admits, and the zones and
types of its bookable booths. That is eight queries, the same for everyone until an organiser changes
something; so they are kept in the cache under the public-data version of events.public_cache, which
every committed write to these tables changes (its signals watch them all). Zone names are in the
language of the page, so each language has its own copy.

What is kept is the site, not anything about the vendor: whether this vendor may apply, and whether the
window is open at this second, are decided on every request.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.http import Http404
from django.utils.translation import get_language

from booths.plans.zones import SiteZone, site_zones
from events.models import Site
from events.public_cache import public_version, uncommitted_public_writes

from .applying import booth_types

TIMEOUT = 10 * 60  # a new version makes a copy unused long before this


@dataclass
class CallSite:
    """The site with what applying reads of it, fetched together."""

    site: Site  # with its exhibition, county, venue, hours, closures, admitted groups and counties
    zones: list[SiteZone]  # the zones a vendor may prefer, named in the page's language
    types: list[str]  # the booth types a vendor may prefer


def _fetch(slug: str) -> CallSite:
    site = (
        Site.objects.select_related("exhibition", "county", "venue")
        .prefetch_related("hours", "exceptions", "eligible_groups", "eligible_counties")
        .filter(slug=slug)
        .first()
    )
    if site is None:
        raise Http404
    return CallSite(site=site, zones=site_zones(site), types=booth_types(site))


def call_site(slug: str) -> CallSite:
    """The site of this slug for applying (Http404 when there is none), from the cache when it is current."""
    # A request that wrote to public tables in a transaction not yet committed (a test, say) reads fresh.
    if uncommitted_public_writes():
        return _fetch(slug)
    key = f"apply:site:{public_version()}:{get_language()}:{slug}"
    found = cache.get(key)
    if found is None:
        found = _fetch(slug)
        cache.set(key, found, TIMEOUT)
    return found
