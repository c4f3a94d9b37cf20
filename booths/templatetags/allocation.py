"""Template helpers for allocation: a site's published lottery, a vendor's offer, and the words for the
allocation's codes."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from bazaarche.bilingual import in_language
from bazaarche.text import digits_for_language
from booths.allocation.notices import days_text
from booths.allocation.waitlist import LIVE
from booths.models import AllocationRun, Application, Offer
from booths.plans.labels import booth_label

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
    """The reader's line of a stored Persian-and-English text, with the page's digits."""
    return digits_for_language(in_language(text))


# What the organiser's board says for a placement or refusal code (the engine's, and the page's own
# "after_run", "not_run", "declined", "expired"): a few words; the code stays in data-code.
_PLACEMENTS = {
    "pinned": lambda: gettext("Chosen by the organiser"),
    "preferred": lambda: gettext("Preferred zone or type"),
    "group": lambda: gettext("Next to its company"),
    "needs": lambda: gettext("Has what it needs"),
    "free": lambda: gettext("Free on its days"),
    "after_run": lambda: gettext("Placed after the run"),
}
_REFUSALS = {
    "no_booth_with_needs": lambda: gettext("No booth has what it needs"),
    "no_booth_on_days": lambda: gettext("Not open on its days"),
    "booths_full_on_days": lambda: gettext("Booths taken on its days"),
    "quota_full": lambda: gettext("Group quota full"),
    "declined": lambda: gettext("Declined the offer"),
    "expired": lambda: gettext("Did not confirm in time"),
    "not_run": lambda: gettext("Not allocated yet"),
    "after_run": lambda: gettext("Accepted after the run"),
}


@register.filter(name="booth_label")
def booth_label_filter(booth, single_hall: bool | None = None) -> str:
    """{{ booth|booth_label:one_hall }}: «سالن اصلی، غرفه A-۰۴», or «غرفه A-۰۴» on a site of one hall."""
    return booth_label(booth, single_hall)


@register.filter
def placement_label(code: str) -> str:
    """{{ occupant.code|placement_label }}: why an application is on its booth, in a few words."""
    return _PLACEMENTS.get(code, lambda: gettext("On this booth"))()


@register.filter
def refusal_label(code: str) -> str:
    """{{ application.refusal_code|refusal_label }}: why an accepted application has no booth, in a few words."""
    return _REFUSALS.get(code, lambda: gettext("Without a booth"))()
