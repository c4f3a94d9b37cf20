"""Offers: publishing, confirming, declining, expiring and releasing them; promotion from the waiting list.

Every change locks the site row first and then the rows it changes, so publishing, moves and
promotions on one site happen one at a time; the Assignment unique constraints make a double
booking impossible even if something skipped the lock.

However an offer ends — declined, expired, or released because its application left the accepted
state (the vendor withdrew it, an organiser rejected or waitlisted it) — it ends the same way
(`_end`): its booth-days are freed and its passes revoked, and `promote` offers the freed days to
the waiting list in the same transaction.

The waiting list of a site is its accepted applications without a booth and without a live offer
that have never let an offer go (declined or expired), in order of priority, then of the published
lottery. A freed booth goes to the first of them whose needs it has and whose days it is free on.
"""

from __future__ import annotations

import bisect
import datetime
import logging
import smtplib
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.fields.json import KeyTransform
from django.tasks import default_task_backend
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bazaarche.jalali import format_date_range, format_datetime
from bazaarche.text import digits_for_language, to_persian_digits
from booths.allocation.adapter import booth_key
from booths.allocation.engine import Placement, Refusal
from booths.allocation.instance import placement_reason, refusal_reason
from booths.allocation.tasks import expire_site_offers, notify_offers_task
from booths.gate.passes import issue_passes, revoke_passes
from booths.models import AllocationRun, Application, Assignment, Booth, Offer
from booths.plans.labels import booth_label, quota_group_name
from events.models import Site
from events.schedule import schedule_for
from vendors.models import User
from vendors.sms import SmsError, link, send_sms

logger = logging.getLogger(__name__)

LIVE = (Offer.Status.PENDING, Offer.Status.CONFIRMED)
LET_GO = (Offer.Status.DECLINED, Offer.Status.EXPIRED)

# Each is followed by the link to the vendor's page, where the offer and the passes are.
OFFER_SMS = _(
    "Bazaarche: %(booth)s at “%(site)s” is offered to you for %(days)s. "
    "Confirm or decline it on your page before %(deadline)s:"
)
CONFIRMED_SMS = _("Bazaarche: %(booth)s at “%(site)s” is confirmed for you. Your passes are on your page:")


class OfferError(Exception):
    """An offer action that cannot be done; `code` is stable, the message is for the person acting."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# --- reading ------------------------------------------------------------------------------------


def latest_run(site: Site, defer_instance: bool = False) -> AllocationRun | None:
    runs = AllocationRun.objects.filter(site=site).order_by("-created_at", "-pk")
    if defer_instance:
        runs = runs.defer("instance")  # the engine's whole input: large, and pages do not need it
    return runs.first()


def published_run(site: Site) -> AllocationRun | None:
    """The latest published run; its large instance and placements load only when read."""
    return (
        AllocationRun.objects.filter(site=site, published_at__isnull=False)
        .defer("instance", "placements")
        .order_by("-published_at", "-pk")
        .first()
    )


def bilingual(render) -> str:
    """A text kept as two lines, Persian then English; `render` is called in each language."""
    with translation.override("fa"):
        fa = to_persian_digits(" ".join(str(render()).split()))
    with translation.override("en"):
        en = " ".join(str(render()).split())
    return f"{fa}\n{en}"


def in_language(text: str, language: str | None = None) -> str:
    """The reader's line of a bilingual text (a text of one line is shown as it is)."""
    fa, newline, en = (text or "").partition("\n")
    if newline and (language or translation.get_language() or "fa").startswith("en"):
        return en
    return fa


def iso_dates(days: list[str]) -> list[datetime.date]:
    return [datetime.date.fromisoformat(d) for d in days]


def days_text(days: list[str] | list[datetime.date], language: str | None = None) -> str:
    """Days as the language writes them, consecutive days as one span: "۱۵ تا ۱۷ مهر ۱۴۰۵، ۲۰ مهر ۱۴۰۵"."""
    dates = sorted(d if isinstance(d, datetime.date) else datetime.date.fromisoformat(d) for d in days)
    spans: list[list[datetime.date]] = []
    for d in dates:
        if spans and (d - spans[-1][1]).days == 1:
            spans[-1][1] = d
        else:
            spans.append([d, d])
    parts = [format_date_range(a, b, language) for a, b in spans]
    persian = (language or translation.get_language() or "fa").startswith("fa")
    return ("، " if persian else ", ").join(parts)


def offer_reason_text(run: AllocationRun | None, application: Application, booth: Booth) -> str:
    """Why this booth, in Persian and English."""
    if application.pinned_booth_id == booth.pk:
        return bilingual(lambda: gettext("The organiser chose this booth for you."))
    placement = (run.placements if run else {}).get(f"app-{application.pk}")
    if placement and placement["booth"] == booth_key(booth):
        p = Placement(
            f"app-{application.pk}",
            placement["booth"],
            tuple(placement["days"]),
            placement["code"],
            placement["facts"],
        )
        try:
            return bilingual(lambda: placement_reason(p))
        except (KeyError, TypeError, ValueError):
            pass  # an engine code this page does not know yet: the plain reason below
    return bilingual(lambda: gettext("This booth was free on all your days and has what you need."))


# --- the waiting list --------------------------------------------------------------------------


def waitlist(site: Site, run: AllocationRun | None = None) -> list[Application]:
    """The site's waiting list in order: priority, then the published lottery, then application order."""
    if run is None:
        run = published_run(site)
    position = {app_id: n for n, app_id in enumerate(run.lottery)} if run else {}
    let_go = Offer.objects.filter(application__site=site, status__in=LET_GO).values("application_id")
    live = Offer.objects.filter(application__site=site, status__in=LIVE).values("application_id")
    placed = Assignment.objects.filter(application__site=site).values("application_id")
    waiting = list(
        Application.objects.filter(site=site, status=Application.Status.ACCEPTED)
        .exclude(pk__in=let_go)
        .exclude(pk__in=live)
        .exclude(pk__in=placed)
        .select_related("vendor__user", "site")
    )
    waiting.sort(key=lambda a: (-a.priority, position.get(f"app-{a.pk}", len(position)), a.pk))
    return waiting


@dataclass
class Standing:
    position: int  # 1 = next in line
    ahead: int
    waiting: int  # on the list with days that overlap
    reason: str = ""  # the engine's reason for not placing it, in the active language


def standings(applications) -> dict[int, Standing]:
    """Where each accepted application without an offer stands among those waiting for any of its
    days (priority, then the published lottery), with the engine's reason. Three queries whatever the
    number of applications and sites; an application of a site with nothing allocated yet is left out.
    """
    asking = [a for a in applications if a.status == Application.Status.ACCEPTED and not a.offers.all()]
    if not asking:
        return {}
    latest = (
        AllocationRun.objects.filter(site=OuterRef("pk"), published_at__isnull=False)
        .order_by("-published_at", "-pk")
        .values("pk")[:1]
    )
    sites = Site.objects.filter(pk__in={a.site_id for a in asking}).annotate(
        run_id=Subquery(latest), offered=Exists(Offer.objects.filter(application__site=OuterRef("pk")))
    )
    lined = {
        pk: run_id
        for pk, run_id, offered in sites.values_list("pk", "run_id", "offered")
        if run_id or offered
    }
    if not lined:
        return {}
    # Only the lottery and this vendor's refusals are read: a large site's run holds megabytes more.
    reasons = {f"reason_{a.pk}": KeyTransform(f"app-{a.pk}", "refusals") for a in asking}
    runs = {
        run.site_id: run
        for run in AllocationRun.objects.filter(pk__in=[r for r in lined.values() if r])
        .only("pk", "site_id", "lottery")
        .annotate(**reasons)
    }
    let_go_or_live = Offer.objects.filter(application__site__in=lined, status__in=LET_GO + LIVE).values(
        "application_id"
    )
    placed = Assignment.objects.filter(application__site__in=lined).values("application_id")
    waiting_by_site: dict[int, list[tuple[int, int, list[str]]]] = {}
    for pk, site_id, priority, days in (
        Application.objects.filter(site__in=lined, status=Application.Status.ACCEPTED)
        .exclude(pk__in=let_go_or_live)
        .exclude(pk__in=placed)
        .values_list("pk", "site_id", "priority", "days")
    ):
        waiting_by_site.setdefault(site_id, []).append((pk, priority, days))
    found = {}
    for site_id, waiting in waiting_by_site.items():
        run = runs.get(site_id)
        position = {app_id: n for n, app_id in enumerate(run.lottery)} if run else {}
        waiting.sort(key=lambda w: (-w[1], position.get(f"app-{w[0]}", len(position)), w[0]))
        for application in asking:
            if application.site_id != site_id:
                continue
            days = set(application.days)
            ids = [pk for pk, _priority, other in waiting if days & set(other)]
            if application.pk not in ids:
                continue
            n = ids.index(application.pk)
            found[application.pk] = Standing(n + 1, n, len(ids), _refusal_text(application, run))
    return found


def _refusal_text(application: Application, run: AllocationRun | None) -> str:
    refusal = getattr(run, f"reason_{application.pk}", None) if run else None
    if not refusal:
        return ""
    try:
        refused = Refusal(f"app-{application.pk}", refusal["code"], refusal["facts"])
        return digits_for_language(refusal_reason(refused, group_name=quota_group_name(refused)))
    except (KeyError, TypeError, ValueError):
        return ""  # an engine code this page does not know yet


# --- publishing --------------------------------------------------------------------------------


def lock_site(site_id: int) -> Site:
    # NO KEY UPDATE: it serialises everyone who takes the site lock, yet lets a row that merely
    # refers to the site (a pass issued on confirming) be written meanwhile, so a confirmation in
    # flight never deadlocks with a withdrawal or a rejection waiting for its offer.
    return Site.objects.select_for_update(no_key=True).get(pk=site_id)


def deadline_for(site: Site, now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(days=site.confirm_days)


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
        _after_commit(site, offers)
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


# Up to this many offers are texted at once; a larger publication is texted by the task worker,
# so the organiser's request does not wait for hundreds of SMS.
NOTIFY_INLINE = 20


def notify_offers(offer_ids: list[int]) -> int:
    """Text (and e-mail) the vendors of these offers that are still pending; returns how many were sent."""
    sent = 0
    for offer in Offer.objects.filter(pk__in=offer_ids, status=Offer.Status.PENDING).select_related(
        "application__vendor__user", "application__site", "booth__hall"
    ):
        sent += notify_offer(offer)
    return sent


def _after_commit(site: Site, offers: list[Offer]) -> None:
    if not offers:
        return
    pks = [o.pk for o in offers]
    deadline = max(o.expires_at for o in offers)

    def send() -> None:
        if len(pks) <= NOTIFY_INLINE:
            notify_offers(pks)
        else:
            try:
                notify_offers_task.enqueue(pks)
            except Exception:
                logger.exception("Could not queue the offer notices; sending them now")
                notify_offers(pks)
        _schedule_expiry(site.pk, deadline)

    transaction.on_commit(send)


def _schedule_expiry(site_id: int, when: datetime.datetime) -> None:
    """Ask the task worker to expire the site's offers at their deadline (when the backend can defer)."""
    if not default_task_backend.supports_defer:
        return  # the `expire_offers` command (cron) does it
    try:
        expire_site_offers.using(run_after=when + datetime.timedelta(seconds=1)).enqueue(site_id)
    except Exception:
        logger.exception("Could not schedule the expiry of offers for site %s", site_id)


def _text(template, offer: Offer) -> str:
    # Persian whatever the organiser's language, digits and all (site.title is read in Persian here).
    with translation.override("fa"):
        text = gettext(template) % {
            "booth": booth_label(offer.booth),
            "site": offer.application.site.title,
            "days": days_text(offer.days, "fa"),
            "deadline": format_datetime(offer.expires_at, "fa"),
        }
        return f"{text}\n{link('me')}"


def _send(offer: Offer, text: str) -> bool:
    """Text the vendor, and e-mail them when their account has an address; failures are logged."""
    vendor = offer.application.vendor
    user = vendor.user
    if user is not None and user.email:
        try:
            with translation.override("fa"):
                subject = gettext("Bazaarche: news about your booth")
            send_mail(subject, text, None, [user.email])
        except (smtplib.SMTPException, OSError):
            logger.exception("Offer e-mail for offer %s could not be sent", offer.pk)
    try:
        send_sms(vendor.mobile, text)
    except (SmsError, OSError):
        logger.exception("Offer SMS for offer %s could not be sent", offer.pk)
        return False
    return True


def notify_offer(offer: Offer) -> bool:
    return _send(offer, _text(OFFER_SMS, offer))


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
        transaction.on_commit(lambda: _send(offer, _text(CONFIRMED_SMS, offer)))
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
            reason=bilingual(
                lambda: gettext(
                    "A booth was freed on your days and you were next in line on the waiting list."
                )
            ),
            expires_at=deadline_for(site, now),
        )
        Assignment.objects.bulk_create(
            Assignment(booth=booth, date=datetime.date.fromisoformat(d), application=application, offer=offer)
            for d in days
        )
        offers.append(offer)
    _after_commit(site, offers)
    return offers
