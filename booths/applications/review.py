"""Organisers' review of applications: the filtered list, counts, and status changes that notify."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bazaarche.refusals import Refused
from bazaarche.text import digits_for_language
from booths.allocation.locking import lock_site
from booths.allocation.offers import promote, release
from booths.allocation.waitlist import LIVE
from booths.applications.priority import priorities_for
from booths.models import Application, ApplicationChange, Offer
from events.models import Site
from vendors.models import User
from vendors.notices import tell_vendor
from vendors.sms import link

Status = Application.Status

# What an organiser may set; a withdrawal is the vendor's own decision and is never undone here.
REVIEW_STATUSES = (Status.ACCEPTED, Status.WAITLISTED, Status.REJECTED)
NEEDS_REASON = (Status.WAITLISTED, Status.REJECTED)

SMS_TEXTS = {
    Status.SUBMITTED: _("Bazaarche: your application for “%(site)s” is under review again."),
    Status.ACCEPTED: _("Bazaarche: your application for “%(site)s” has been accepted."),
    Status.WAITLISTED: _(
        "Bazaarche: your application for “%(site)s” is on the waiting list. Reason: %(reason)s"
    ),
    Status.REJECTED: _("Bazaarche: your application for “%(site)s” was not accepted. Reason: %(reason)s"),
    Status.WITHDRAWN: _("Bazaarche: your application for “%(site)s” has been withdrawn."),
}


class ReviewError(Refused):
    """A review action that cannot be done; the message is for the organiser."""


def sms_text(application: Application, change: ApplicationChange) -> str:
    """The status SMS, then the link to the application's page.

    The gateway reaches a phone, not a browser: always Persian, whatever the organiser's language,
    digits included (site.title is read in Persian here; the reason as the organiser wrote it).
    """
    with translation.override("fa"):
        text = gettext(SMS_TEXTS[change.new_status]) % {
            "site": application.site.title,
            "reason": digits_for_language(change.reason),
        }
        return f"{text}\n{link('apply-application', application.pk)}"


def notify(application: Application, change: ApplicationChange) -> bool:
    """Text the vendor about a change, and e-mail them when their account has an address.

    A gateway or mail failure is logged; the change stays saved.
    """
    with translation.override("fa"):
        subject = gettext("Bazaarche: your application has changed")
    about = f"application {application.pk} (change {change.pk})"
    return tell_vendor(application.vendor, subject, sms_text(application, change), about)


def record_change(
    application: Application, new_status: str, reason: str, by: User | None
) -> ApplicationChange:
    """Set the status and write the history row; call inside a transaction holding the row."""
    change = ApplicationChange.objects.create(
        application=application, old_status=application.status, new_status=new_status, reason=reason, by=by
    )
    application.status = new_status
    return change


@dataclass
class Changes:
    """What a review action did: how many applications changed, the booth offers they lost (pending or
    confirmed), and the offers the freed booth-days made at once to the waiting list."""

    changed: int
    released: list[Offer] = field(default_factory=list)
    offered: list[Offer] = field(default_factory=list)


def change_status(
    applications: Iterable[Application] | QuerySet,
    new_status: str,
    reason: str,
    by: User,
    now: datetime.datetime | None = None,
) -> Changes:
    """Move applications to `new_status` in one transaction.

    Rows are locked first, so two organisers acting at once cannot both record a change from the
    same old status. Withdrawn applications and those already in `new_status` are left alone.
    Priority is refreshed from the registry and history at the same time. An application rejected
    or waitlisted while it holds a booth, offered or confirmed, loses it in the same transaction:
    its booth-days go to the waiting list and its passes stop admitting.
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    if new_status not in REVIEW_STATUSES:
        raise ReviewError("bad_status", gettext("Choose accept, waiting list or reject."))
    if new_status in NEEDS_REASON and not reason:
        raise ReviewError(
            "reason_required",
            gettext("Write a reason: the vendor sees it when an application is waitlisted or rejected."),
        )
    pks = [a.pk if isinstance(a, Application) else a for a in applications]
    done: list[tuple[Application, ApplicationChange]] = []
    released: list[Offer] = []
    offered: list[Offer] = []
    with transaction.atomic():
        sites = {}
        if new_status != Status.ACCEPTED:
            # Booths may be released: the sites are locked first, as every change to their booths does.
            site_ids = Application.objects.filter(pk__in=pks).values_list("site_id", flat=True)
            sites = {site_id: lock_site(site_id) for site_id in sorted(set(site_ids))}
        locked = list(
            Application.objects.select_for_update(of=("self",), no_key=True)  # as lock_site says why
            .filter(pk__in=pks)
            .exclude(status=Status.WITHDRAWN)
            .exclude(status=new_status)
            .select_related("vendor", "site")
            .order_by("pk")
        )
        priorities = priorities_for([a.vendor for a in locked], [a.pk for a in locked])
        for application in locked:
            change = record_change(application, new_status, reason, by)
            application.priority, application.priority_reasons = priorities[application.vendor_id]
            done.append((application, change))
        Application.objects.bulk_update(
            [a for a, _change in done], ["status", "priority", "priority_reasons", "updated_at"]
        )
        if sites and done:
            released = release([a for a, _change in done], Offer.Status.WITHDRAWN, now)
            site_of = {a.pk: a.site_id for a, _change in done}
            # After the statuses are saved, so the waiting list no longer counts these applications.
            for site_id in sorted({site_of[o.application_id] for o in released}):
                offered += promote(sites[site_id], now)
    for application, change in done:
        notify(application, change)
    return Changes(len(done), released, offered)


@dataclass
class ReviewFilters:
    status: str = ""
    county: int | None = None
    group: int | None = None
    need: str = ""
    priority: int | None = None


NEED_FIELDS = {
    "power": "needs_power",
    "water": "needs_water",
    "accessible": "needs_accessible",
    "table": "needs_table",
}


def review_list(site: Site, filters: ReviewFilters) -> QuerySet[Application]:
    """A site's applications for review, highest priority first; a fixed number of queries."""
    booth_offer = Offer.objects.filter(application=OuterRef("pk"), status__in=LIVE).values("status")[:1]
    qs = (
        site.applications.select_related("vendor__category__group", "vendor__county", "company")
        .annotate(booth_offer=Subquery(booth_offer))  # pending or confirmed: rejecting it releases the booth
        .order_by("-priority", "created_at", "pk")
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.county:
        qs = qs.filter(vendor__county_id=filters.county)
    if filters.group:
        qs = qs.filter(vendor__category__group_id=filters.group)
    if filters.need in NEED_FIELDS:
        qs = qs.filter(**{NEED_FIELDS[filters.need]: True})
    if filters.priority is not None:
        qs = qs.filter(priority=filters.priority)
    return qs


def status_counts(site: Site) -> dict[str, int]:
    """How many applications the site has in each status (and in all), in one query."""
    counts = Application.objects.filter(site=site).aggregate(
        all=Count("pk"), **{s: Count("pk", filter=Q(status=s)) for s in Status.values}
    )
    return counts
