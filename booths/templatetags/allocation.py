"""Template helpers for allocation: a site's published lottery, a vendor's offer and waiting-list standing."""

from __future__ import annotations

from django import template

from bazaarche.text import digits_for_language
from booths.allocation.engine import Refusal
from booths.allocation.instance import refusal_reason
from booths.models import AllocationRun, Application, Offer
from booths.offers import LIVE, days_text, in_language, published_run, standing

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


@register.simple_tag
def waitlist_standing(application: Application):
    """Where an accepted application without a booth stands on the waiting list, or None."""
    if application.status != Application.Status.ACCEPTED:
        return None
    site = application.site
    run = published_run(site)
    if run is None and not Offer.objects.filter(application__site=site).exists():
        return None  # nothing allocated yet: there is no line to stand in
    place = standing(application)
    if place is None:
        return None
    refusal = (run.refusals if run else {}).get(f"app-{application.pk}")
    reason = ""
    if refusal:
        try:
            reason = digits_for_language(
                refusal_reason(Refusal(f"app-{application.pk}", refusal["code"], refusal["facts"]))
            )
        except (KeyError, TypeError, ValueError):
            reason = ""
    return {"position": place.position, "ahead": place.ahead, "waiting": place.waiting, "reason": reason}


@register.filter
def jdays(days) -> str:
    """ISO dates or dates as the active language writes them, consecutive days as one span."""
    return days_text(list(days or []))


@register.filter
def bilingual(text: str) -> str:
    return in_language(text)
