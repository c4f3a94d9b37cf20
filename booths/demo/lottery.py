"""The demo's allocations: each reviewed site's lottery run by booths.allocation.adapter with the demo's
seed, published as offers, and answered through booths.allocation.offers.

Every booth a vendor holds is one the engine placed, or one `promote` passed on from the waiting list
when an offer was declined or expired: the demo never chooses a booth itself. The sign-in vendor's
booth is the organiser's choice, made as an organiser makes it, with a move before the run.
"""

from __future__ import annotations

import datetime

from booths.allocation.adapter import allocate_site
from booths.allocation.edits import move
from booths.allocation.offers import confirm, decline, expire_offers, publish
from booths.models import Offer

from . import data
from .state import Demo, SiteBuild

DAY = datetime.timedelta(days=1)


def _confirm(demo: Demo, offer: Offer, at: datetime.datetime) -> None:
    with demo.at(at) as now:
        confirm(offer.pk, offer.application.applied_by, now=now)
    demo.confirmed_at[offer.application_id] = at


def _answer_later(demo: Demo, offers: list[Offer], offered_at: datetime.datetime, pending: int = 0) -> None:
    """Offers passed on from the waiting list are confirmed within a day, but the last `pending`."""
    for offer in offers[: len(offers) - pending]:
        _confirm(demo, offer, offered_at + demo.rng.uniform(0.2, 1.0) * DAY)


def _answer(
    demo: Demo, build: SiteBuild, offers: list[Offer], published: datetime.datetime, rules: data.Lottery
) -> None:
    """Most confirm within the deadline; some decline the next day, some never answer. The booths they
    let go pass to the waiting list, and those offers are answered in turn."""
    movable = [o for o in offers if o.application.pinned_booth_id is None]
    silent = {o.pk for o in movable[len(movable) - rules.silent :]} if rules.silent else set()
    middle = len(movable) // 2
    declining = {o.pk for o in movable[middle : middle + rules.declines]}
    for offer in offers:
        if offer.pk in silent:
            continue
        if offer.pk in declining:
            with demo.at(published + DAY) as now:
                _offer, passed_on = decline(offer.pk, offer.application.applied_by, now=now)
            _answer_later(demo, passed_on, now)
        else:
            _confirm(demo, offer, published + demo.rng.uniform(0.1, 2.5) * DAY)
    if silent:
        # The cron's run just after the deadline: the silent offers expire and pass on.
        with demo.at(published + build.site.confirm_days * DAY + datetime.timedelta(minutes=10)) as now:
            expire_offers(now=now, site_ids=[build.site.pk])
        passed_on = list(
            Offer.objects.filter(application__site=build.site, status=Offer.Status.PENDING)
            .select_related("application")
            .order_by("pk")
        )
        _answer_later(demo, passed_on, now, rules.pending)


def run(demo: Demo, build: SiteBuild, rules: data.Lottery) -> None:
    """Allocate the site, publish its offers and let the vendors answer, on the days the rules say."""
    site, organiser = build.site, build.organiser
    allocated = site.applications_close + rules.allocate_after * DAY
    story = data.SIGN_IN_VENDOR
    if story.site == site.slug:
        chosen = next(a for a in build.applications if a.vendor_id == demo.vendors[0].pk)
        with demo.at(allocated - datetime.timedelta(hours=2)):
            move(site, chosen.pk, story.booth)
    with demo.at(allocated):
        allocation = allocate_site(site, seed=data.SEED, by=organiser).run
    published = site.applications_close + rules.publish_after * DAY
    with demo.at(published) as now:
        offers = publish(allocation, organiser, now=now)
    _answer(demo, build, sorted(offers, key=lambda o: o.application_id), published, rules)
