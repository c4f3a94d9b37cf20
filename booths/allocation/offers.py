"""Offers: publishing, confirming, declining, expiring and releasing them; promotion from the waiting list.

Every change takes the site lock first (booths.allocation.locking says in which order the rows
follow), so publishing, moves and promotions on one site happen one at a time.

However an offer ends — declined, expired, or released because its application left the accepted
state (the vendor withdrew it, an organiser rejected or waitlisted it) — it ends the same way
(`_end`): its booth-days are freed and its passes revoked, and `promote` offers the freed days to
the waiting list (booths.allocation.waitlist) in the same transaction: a freed booth goes to the
first one waiting whose needs it has and whose days it is free on. What the vendors are told is in
booths.allocation.notices.
"""

from __future__ import annotations

import bisect
import datetime

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from bazaarche.jalali import format_datetime
from bazaarche.refusals import Refused
from booths.gate.passes import issue_passes, revoke_passes
from booths.models import AllocationRun, Application, Assignment, Booth, Offer
from events.models import Site
from events.schedule import schedule_for
from vendors.models import User

from .locking import lock_site
from .notices import announce, notify_confirmed, offer_reason_text, promoted_reason_text
from .runs import latest_run, published_run
from .waitlist import LIVE, waitlist


class OfferError(Refused):
    """An offer action that cannot be done; the message is for the person acting."""


def deadline_for(site: Site, now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(days=site.confirm_days)


# --- publishing --------------------------------------------------------------------------------


def publish(run: AllocationRun, by: User | None, now: datetime.datetime | None = None) -> list[Offer]:
    """Offer every placed application without an offer its booth; returns the new offers.

    Only the site's latest run, once done, can be published. Publishing again after a re-run offers
    what is new and leaves earlier offers alone.
    """
    now = now or timezone.now()
    with transaction.atomic():
        site = lock_site(run.site_id)
        run = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if run.status != AllocationRun.Status.DONE:
            raise OfferError(
                "not_ready", gettext("This allocation has not finished; wait for it, then publish.")
            )
        latest = latest_run(site)
        if latest is not None and latest.pk != run.pk:
            raise OfferError("stale", gettext("A newer allocation exists for this site; publish that one."))
        offers = _offer_unoffered(site, run, now)
        run.published_at = now
        run.published_by = by
        run.save(update_fields=["published_at", "published_by"])
        announce(site, offers)
    return offers


def _offer_unoffered(site: Site, run: AllocationRun | None, now: datetime.datetime) -> list[Offer]:
    rows = list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(application__site=site, offer__isnull=True, application__status=Application.Status.ACCEPTED)
        .select_related("application", "booth__hall")
        .order_by("application_id", "date")
    )
    by_app: dict[int, list[Assignment]] = {}
    for row in rows:
        by_app.setdefault(row.application_id, []).append(row)
    has_live = set(
        Offer.objects.filter(application_id__in=by_app, status__in=LIVE).values_list(
            "application_id", flat=True
        )
    )
    offers, linked = [], []
    for app_id, app_rows in by_app.items():
        if app_id in has_live:
            continue
        application, booth = app_rows[0].application, app_rows[0].booth
        if any(r.booth_id != booth.pk for r in app_rows):
            continue  # one booth for all days, or no offer (a move in progress cannot leave this)
        offer = Offer(
            application=application,
            booth=booth,
            days=[r.date.isoformat() for r in app_rows],
            reason=offer_reason_text(run, application, booth),
            expires_at=deadline_for(site, now),
        )
        offers.append(offer)
        linked.append(app_rows)
    Offer.objects.bulk_create(offers)
    changed = []
    for offer, app_rows in zip(offers, linked, strict=True):
        for row in app_rows:
            row.offer = offer
            changed.append(row)
    Assignment.objects.bulk_update(changed, ["offer"], batch_size=500)
    return offers


# --- the vendor's answer -----------------------------------------------------------------------


def _locked_offer(offer_id: int) -> Offer:
    return (
        Offer.objects.select_for_update(of=("self",))
        .select_related("application__vendor__user", "application__site", "booth__hall")
        .get(pk=offer_id)
    )


def _refuse_unless_pending(offer: Offer, now: datetime.datetime) -> None:
    if offer.status == Offer.Status.CONFIRMED:
        raise OfferError("already_confirmed", gettext("You have already confirmed this booth."))
    if offer.status != Offer.Status.PENDING:
        raise OfferError(
            "not_pending",
            gettext("This offer is no longer open: %(status)s.") % {"status": offer.get_status_display()},
        )
    if offer.expires_at <= now:
        raise OfferError(
            "expired",
            gettext("The deadline to confirm this booth passed on %(deadline)s.")
            % {"deadline": format_datetime(offer.expires_at)},
        )


def confirm(offer_id: int, by: User | None, now: datetime.datetime | None = None) -> Offer:
    """The vendor takes the booth: the offer is confirmed and the passes are issued, together."""
    now = now or timezone.now()
    with transaction.atomic():
        offer = _locked_offer(offer_id)
        _refuse_unless_pending(offer, now)
        offer.status = Offer.Status.CONFIRMED
        offer.responded_at = now
        offer.save(update_fields=["status", "responded_at"])
        issue_passes(offer.application)
        transaction.on_commit(lambda: notify_confirmed(offer))
    return offer


def decline(
    offer_id: int, by: User | None, now: datetime.datetime | None = None
) -> tuple[Offer, list[Offer]]:
    """The vendor lets the booth go: its days are freed and offered at once to the waiting list."""
    from booths.applications.review import (
        record_change,  # review releases booths through this module; imported here
    )

    now = now or timezone.now()
    site_id = Offer.objects.filter(pk=offer_id).values_list("application__site_id", flat=True).first()
    if site_id is None:
        raise OfferError("missing", gettext("This offer does not exist."))
    with transaction.atomic():
        site = lock_site(site_id)
        offer = _locked_offer(offer_id)
        _refuse_unless_pending(offer, now)
        _end([offer], Offer.Status.DECLINED, now)
        application = Application.objects.select_for_update().get(pk=offer.application_id)
        with translation.override("fa"):
            reason = gettext("Declined the offered booth.")
        record_change(application, Application.Status.WITHDRAWN, reason, by)
        application.save(update_fields=["status", "updated_at"])
        promoted = promote(site, now)
    return offer, promoted


def expire_offers(now: datetime.datetime | None = None, site_ids: list[int] | None = None) -> tuple[int, int]:
    """Expire the offers past their deadline and pass their booths on; returns (expired, offered).

    Idempotent: an offer is expired once, under the site's lock, so the cron command and the
    scheduled task may both run, as often as they like.
    """
    now = now or timezone.now()
    due = Offer.objects.filter(status=Offer.Status.PENDING, expires_at__lte=now)
    if site_ids is not None:
        due = due.filter(application__site_id__in=site_ids)
    expired = offered = 0
    for site_id in sorted(set(due.values_list("application__site_id", flat=True))):
        with transaction.atomic():
            site = lock_site(site_id)
            rows = list(
                Offer.objects.select_for_update()
                .filter(application__site=site, status=Offer.Status.PENDING, expires_at__lte=now)
                .order_by("pk")
            )
            if not rows:
                continue
            _end(rows, Offer.Status.EXPIRED, now)
            expired += len(rows)
            offered += len(promote(site, now))
    return expired, offered


# --- the end of an offer -----------------------------------------------------------------------


def _end(offers: list[Offer], status: str, now: datetime.datetime) -> None:
    """End these offers (locked by the caller) with `status`: free their booth-days, revoke their passes.

    `responded_at` is the vendor's answer: set now when the vendor ends a pending offer (declined),
    kept as it was otherwise (a confirmed booth keeps the time it was confirmed).
    """
    if not offers:
        return
    for offer in offers:
        if status == Offer.Status.DECLINED and offer.responded_at is None:
            offer.responded_at = now
        offer.status = status
    Offer.objects.bulk_update(offers, ["status", "responded_at"])
    Assignment.objects.filter(offer__in=offers).delete()
    revoke_passes({o.application_id for o in offers}, now)


def release(applications: list[Application], status: str, now: datetime.datetime) -> list[Offer]:
    """End the live offers (pending or confirmed) of applications that leave the accepted state.

    `status` says who ended them: declined (the vendor withdrew the application) or withdrawn (an
    organiser rejected or waitlisted it). Call inside a transaction holding the sites' rows
    (`lock_site`) and then the applications'; once their new status is saved, `promote` each site to
    offer the freed booth-days to the waiting list. Returns the offers ended, in id order.
    """
    offers = list(
        Offer.objects.select_for_update(of=("self",))
        .filter(application__in=[a.pk for a in applications], status__in=LIVE)
        .select_related("booth__hall")
        .order_by("pk")
    )
    _end(offers, status, now)
    return offers


# --- promotion ---------------------------------------------------------------------------------


def promote(site: Site, now: datetime.datetime | None = None) -> list[Offer]:
    """Offer free booth-days to the waiting list in its order; call inside a transaction holding the site.

    Booths are grouped by what matters for the choice (features, free days, zone, type), so each
    waiting application looks at a few groups, not at every booth: a site of 800 booths with 2,000
    waiting stays well under a second.
    """
    now = now or timezone.now()
    day_list = [d.date for d in schedule_for(site).open_days]
    bit = {d.isoformat(): 1 << n for n, d in enumerate(day_list)}
    everything = (1 << len(day_list)) - 1
    booths = list(
        Booth.objects.filter(hall__site=site, blocked=False)
        .select_related("hall")
        .order_by("hall__position", "hall__code", "code")
    )
    busy: dict[int, int] = {}
    for booth_id, date in Assignment.objects.filter(booth__hall__site=site).values_list("booth_id", "date"):
        busy[booth_id] = busy.get(booth_id, 0) | bit.get(date.isoformat(), 0)
    # (features, free days, zone, type) -> booths in plan order
    groups: dict[tuple[frozenset[str], int, str, str], list[int]] = {}
    for n, b in enumerate(booths):
        free_days = everything & ~busy.get(b.pk, 0)
        if free_days:
            groups.setdefault((frozenset(b.features), free_days, b.zone, b.type), []).append(n)
    run = published_run(site)
    offers = []
    for application in waitlist(site, run):
        if not groups:
            break
        days = sorted(d for d in application.days if d in bit)
        if not days:
            continue
        mask = 0
        for d in days:
            mask |= bit[d]
        needs = set(application.needs)
        zones, kinds = application.preferred_zones or [], application.preferred_types or []
        fitting = [key for key in groups if needs <= key[0] and mask & ~key[1] == 0]
        if not fitting:
            continue
        key = min(
            fitting,
            key=lambda k: (
                len(k[0] - needs),  # booths with water stay for those who need water
                bool(zones) and k[2] not in zones,
                bool(kinds) and k[3] not in kinds,
                groups[k][0],  # then the plan's order
            ),
        )
        n = groups[key].pop(0)
        if not groups[key]:
            del groups[key]
        left = key[1] & ~mask
        if left:
            bisect.insort(groups.setdefault((key[0], left, key[2], key[3]), []), n)
        booth = booths[n]
        offer = Offer.objects.create(
            application=application,
            booth=booth,
            days=days,
            reason=promoted_reason_text(),
            expires_at=deadline_for(site, now),
        )
        Assignment.objects.bulk_create(
            Assignment(booth=booth, date=datetime.date.fromisoformat(d), application=application, offer=offer)
            for d in days
        )
        offers.append(offer)
    announce(site, offers)
    return offers
