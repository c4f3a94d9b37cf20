"""Template helpers for allocation: a site's published lottery and a vendor's offer."""

from __future__ import annotations

from django import template

from booths.models import AllocationRun, Application, Offer
from booths.offers import LIVE, days_text, in_language

register = template.Library()


@register.simple_tag
def published_allocation(site) -> AllocationRun | None:
    """The site's latest published run (seed and time only), or None; one query."""
    return (
        AllocationRun.objects.filter(site=site, published_at__isnull=False)
        .only("pk", "seed", "published_at", "site_id")
        .order_by("-published_at", "-pk")
        .first()
    )


@register.simple_tag
def application_offer(application: Application) -> Offer | None:
    """The live offer, else the latest one (reads prefetched offers when there are any)."""
    offers = sorted(application.offers.all(), key=lambda o: (o.created_at, o.pk), reverse=True)
    live = [o for o in offers if o.status in LIVE]
    return live[0] if live else (offers[0] if offers else None)


@register.filter
def jdays(days) -> str:
    """ISO dates or dates as the active language writes them, consecutive days as one span."""
    return days_text(list(days or []))


@register.filter
def bilingual(text: str) -> str:
    return in_language(text)
