"""What a vendor is told about an offer: why this booth, on which days, and the SMS and e-mail that
bring the news, sent once the offers are saved.

Texts to a phone are Persian whatever the organiser's language; an offer's reason is stored in both
languages (bazaarche.bilingual), since the vendor reads it later in theirs.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.tasks import default_task_backend
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bazaarche.bilingual import both
from bazaarche.jalali import format_date_range, format_datetime
from booths.models import AllocationRun, Application, Booth, Offer
from booths.plans.labels import booth_label
from events.models import Site
from vendors.notices import tell_vendor
from vendors.sms import link

from .ids import application_id, booth_key
from .instance import placement_reason
from .runs import placement_from
from .tasks import expire_site_offers, notify_offers_task

logger = logging.getLogger(__name__)

# Each is followed by the link to the vendor's page, where the offer and the passes are.
OFFER_SMS = _(
    "Bazaarche: %(booth)s at “%(site)s” is offered to you for %(days)s. "
    "Confirm or decline it on your page before %(deadline)s:"
)
CONFIRMED_SMS = _("Bazaarche: %(booth)s at “%(site)s” is confirmed for you. Your passes are on your page:")
# Up to this many offers are texted at once; a larger publication is texted by the task worker,
# so the organiser's request does not wait for hundreds of SMS.
NOTIFY_INLINE = 20


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
        return both(lambda: gettext("The organiser chose this booth for you."))
    data = (run.placements if run else {}).get(application_id(application.pk))
    if data and data["booth"] == booth_key(booth):
        placement = placement_from(application.pk, data)
        try:
            return both(lambda: placement_reason(placement))
        except (KeyError, TypeError, ValueError):
            pass  # an engine code this page does not know yet: the plain reason below
    return both(lambda: gettext("This booth was free on all your days and has what you need."))


def promoted_reason_text() -> str:
    """Why a booth freed after publishing went to this vendor, in Persian and English."""
    return both(
        lambda: gettext("A booth was freed on your days and you were next in line on the waiting list.")
    )


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
    with translation.override("fa"):
        subject = gettext("Bazaarche: news about your booth")
    return tell_vendor(offer.application.vendor, subject, text, f"offer {offer.pk}")


def notify_offer(offer: Offer) -> bool:
    return _send(offer, _text(OFFER_SMS, offer))


def notify_confirmed(offer: Offer) -> bool:
    return _send(offer, _text(CONFIRMED_SMS, offer))


def notify_offers(offer_ids: list[int]) -> int:
    """Text (and e-mail) the vendors of these offers that are still pending; returns how many were sent."""
    sent = 0
    for offer in Offer.objects.filter(pk__in=offer_ids, status=Offer.Status.PENDING).select_related(
        "application__vendor__user", "application__site", "booth__hall"
    ):
        sent += notify_offer(offer)
    return sent


def announce(site: Site, offers: list[Offer]) -> None:
    """Once the transaction commits, text the vendors of new offers (by the task worker when there are
    many) and schedule the expiry of the offers at their deadline."""
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
