"""Which open calls a vendor may answer, and the application itself: make, edit, withdraw."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from bazaarche.jalali import format_date, format_datetime
from bazaarche.refusals import Refused
from bazaarche.text import digits_for_language
from booths.allocation.locking import lock_site
from booths.allocation.offers import promote, release
from booths.applications.priority import priorities_for
from booths.applications.review import notify, record_change
from booths.models import Application, Booth, Offer
from events.models import Exhibition, Site
from events.schedule import schedule_for
from vendors.models import SupportCompany, User, Vendor

Status = Application.Status

SITE_CANCELLED = "site_cancelled"
NOT_PUBLISHED = "not_published"
NO_WINDOW = "no_window"
NOT_YET_OPEN = "not_yet_open"
CLOSED = "closed"
PERMIT_EXPIRES = "permit_expires"
GROUP_NOT_ADMITTED = "group_not_admitted"
COUNTY_NOT_ADMITTED = "county_not_admitted"
ALREADY_APPLIED = "already_applied"
NOT_EDITABLE = "not_editable"
NOT_WITHDRAWABLE = "not_withdrawable"

EDITABLE = (Status.SUBMITTED,)
WITHDRAWABLE = (Status.SUBMITTED, Status.WAITLISTED, Status.ACCEPTED)


@dataclass(frozen=True)
class Refusal:
    """Why an application cannot be made or changed: a stable code and a message for the vendor."""

    code: str
    message: str


class ApplicationRefused(Refused):
    """Every reason why the application cannot be made or changed (`refusals`, at least one); its
    code is the first reason's and its message all of theirs."""

    def __init__(self, refusals: Sequence[Refusal]):
        self.refusals = list(refusals)
        super().__init__(self.refusals[0].code, "; ".join(r.message for r in self.refusals))


@dataclass
class ApplicationData:
    """What a vendor asks for; the form has already checked it against the site."""

    days: list[str]
    needs_power: bool = False
    needs_water: bool = False
    needs_accessible: bool = False
    needs_table: bool = False
    preferred_zones: list[str] = field(default_factory=list)
    preferred_types: list[str] = field(default_factory=list)
    helpers: int = 0
    products: str = ""


def window_refusal(site: Site, now: datetime.datetime) -> Refusal | None:
    """Whether the site's application window is open at `now`."""
    if site.applications_open is None or site.applications_close is None:
        return Refusal(
            NO_WINDOW, gettext("The organisers have not announced the application dates for this site yet.")
        )
    if now < site.applications_open:
        return Refusal(
            NOT_YET_OPEN,
            gettext("Applications for this site open on %(date)s. Please come back then.")
            % {"date": format_datetime(site.applications_open)},
        )
    if now >= site.applications_close:
        return Refusal(
            CLOSED,
            gettext("Applications for this site closed on %(date)s.")
            % {"date": format_datetime(site.applications_close)},
        )
    return None


def site_refusal(site: Site, now: datetime.datetime) -> Refusal | None:
    """Whether the site takes applications at all at `now`, whoever applies."""
    if site.status != Site.Status.ACTIVE:
        return Refusal(SITE_CANCELLED, gettext("This site has been cancelled and takes no applications."))
    if site.exhibition.status != Exhibition.Status.PUBLISHED:
        return Refusal(
            NOT_PUBLISHED, gettext("This exhibition has not been published yet, so it takes no applications.")
        )
    return window_refusal(site, now)


def eligibility_refusals(vendor: Vendor, site: Site) -> list[Refusal]:
    """What keeps this vendor from this site: its permit, category group or county. No query when the
    site's admitted groups and counties are prefetched."""
    refusals = []
    if vendor.permit_expires < site.end_date:
        refusals.append(
            Refusal(
                PERMIT_EXPIRES,
                gettext(
                    "The permit of this business expires on %(expires)s, before the last day of this site "
                    "(%(last)s). Renew the permit in the home-jobs registry, then apply."
                )
                % {"expires": format_date(vendor.permit_expires), "last": format_date(site.end_date)},
            )
        )
    groups = list(site.eligible_groups.all())
    if groups and vendor.category.group_id not in {g.pk for g in groups}:
        refusals.append(
            Refusal(
                GROUP_NOT_ADMITTED,
                gettext("This site admits only these groups: %(groups)s. This business is in “%(group)s”.")
                % {"groups": "، ".join(g.name for g in groups), "group": vendor.category.group.name},
            )
        )
    counties = list(site.eligible_counties.all())
    if counties and vendor.county_id not in {c.pk for c in counties}:
        refusals.append(
            Refusal(
                COUNTY_NOT_ADMITTED,
                gettext(
                    "This site admits businesses from these counties only: %(counties)s. "
                    "This business is registered in %(county)s."
                )
                % {"counties": "، ".join(c.name for c in counties), "county": vendor.county.name},
            )
        )
    return refusals


def vendor_refusals(vendors: Sequence[Vendor], site: Site) -> dict[int, list[Refusal]]:
    """What keeps each of these vendors from this site, by vendor id: eligibility and an earlier
    application (one query for all of them)."""
    applied = set(
        Application.objects.filter(site=site, vendor__in=vendors).values_list("vendor_id", flat=True)
    )
    return {
        vendor.pk: eligibility_refusals(vendor, site) + ([already_applied()] if vendor.pk in applied else [])
        for vendor in vendors
    }


def already_applied() -> Refusal:
    return Refusal(
        ALREADY_APPLIED,
        gettext(
            "This business has already applied for this site. "
            "You can see, change or withdraw that application on “My page”."
        ),
    )


def open_calls(vendor: Vendor, now: datetime.datetime | None = None) -> QuerySet[Site]:
    """Sites taking applications now that this vendor may apply to and has not applied to yet."""
    now = now or timezone.now()
    return (
        Site.objects.filter(
            status=Site.Status.ACTIVE,
            exhibition__status=Exhibition.Status.PUBLISHED,
            applications_open__lte=now,
            applications_close__gt=now,
            end_date__lte=vendor.permit_expires,
        )
        .filter(Q(eligible_groups__isnull=True) | Q(eligible_groups=vendor.category.group_id))
        .filter(Q(eligible_counties__isnull=True) | Q(eligible_counties=vendor.county_id))
        .exclude(applications__vendor=vendor)
        .select_related("exhibition", "county", "venue")
        .distinct()
        .order_by("applications_close", "start_date", "pk")
    )


def open_day_choices(site: Site) -> list[datetime.date]:
    return [day.date for day in schedule_for(site).open_days]


def booth_types(site: Site) -> list[str]:
    """The booth types a vendor may prefer: those the site's bookable booths have (none without a plan).
    The zones come with their names from booths.plans.zones.site_zones."""
    present = set(Booth.objects.filter(hall__site=site, blocked=False).values_list("type", flat=True))
    return [value for value in Booth.Type.values if value in present]


def _fields(data: ApplicationData) -> dict:
    return {
        "days": sorted(data.days),
        "needs_power": data.needs_power,
        "needs_water": data.needs_water,
        "needs_accessible": data.needs_accessible,
        "needs_table": data.needs_table,
        "preferred_zones": list(data.preferred_zones),
        "preferred_types": list(data.preferred_types),
        "helpers": data.helpers,
        "products": data.products,
    }


def check_days(site: Site, days: Iterable[str]) -> list[str]:
    """The days asked for, if every one is an open day of the site; ValueError naming the others."""
    allowed = {d.isoformat() for d in open_day_choices(site)}
    days = sorted(set(days))
    wrong = [d for d in days if d not in allowed]
    if wrong:
        raise ValueError(wrong)
    return days


def apply(
    vendors: Sequence[Vendor],
    site: Site,
    data: ApplicationData,
    by: User,
    company: SupportCompany | None = None,
    now: datetime.datetime | None = None,
) -> list[Application]:
    """Apply for each vendor to `site` (a company's group when `company` is set); all or nothing.

    Raises ApplicationRefused with every reason when any vendor may not apply; nothing is saved then.
    An earlier application is refused by the one-per-vendor-and-site constraint as the rows are
    written, the one place that also catches a double click or two phones sending at once (the
    apply page has shown it before, from vendor_refusals).
    """
    now = now or timezone.now()
    refusal = site_refusal(site, now)
    if refusal:
        raise ApplicationRefused([refusal])
    refusals = [r for vendor in vendors for r in eligibility_refusals(vendor, site)]
    if refusals:
        raise ApplicationRefused(refusals)
    try:
        check_days(site, data.days)
    except ValueError:
        raise ApplicationRefused(
            [Refusal("closed_day", gettext("Choose only days on which the site is open."))]
        ) from None
    if data.helpers > site.helpers_per_booth:
        raise ApplicationRefused(
            [
                Refusal(
                    "too_many_helpers",
                    gettext("This site allows at most %(n)s helpers per booth.")
                    % {"n": digits_for_language(str(site.helpers_per_booth))},
                )
            ]
        )
    priorities = priorities_for(vendors)
    created = []
    try:
        with transaction.atomic():
            for vendor in vendors:
                level, reasons = priorities[vendor.pk]
                application = Application.objects.create(
                    site=site,
                    vendor=vendor,
                    company=company,
                    applied_by=by,
                    priority=level,
                    priority_reasons=reasons,
                    **_fields(data),
                )
                application.changes.create(old_status="", new_status=Status.SUBMITTED, by=by)
                created.append(application)
    except IntegrityError:
        # Another request made the same application a moment ago: application_one_per_vendor_site.
        raise ApplicationRefused([already_applied()]) from None
    return created


def edit_refusal(application: Application, now: datetime.datetime | None = None) -> Refusal | None:
    if application.status not in EDITABLE:
        return Refusal(
            NOT_EDITABLE,
            gettext("This application has been reviewed (%(status)s) and can no longer be changed.")
            % {"status": application.get_status_display()},
        )
    return window_refusal(application.site, now or timezone.now())


def update(
    application: Application, data: ApplicationData, now: datetime.datetime | None = None
) -> Application:
    """Change an application while its site's window is open and nobody has reviewed it yet."""
    refusal = edit_refusal(application, now)
    if refusal:
        raise ApplicationRefused([refusal])
    check_days(application.site, data.days)
    for name, value in _fields(data).items():
        setattr(application, name, value)
    application.save()
    return application


def withdraw(application: Application, by: User, now: datetime.datetime | None = None) -> list[Offer]:
    """The vendor takes the application back; recorded like any other status change.

    A booth it holds, offered or confirmed, is given up in the same step, as a decline does: its
    days are offered at once to the waiting list and its passes stop admitting. Returns the offers
    so ended (none when it held no booth).
    """
    now = now or timezone.now()
    with transaction.atomic():
        site = lock_site(application.site_id)  # first, as every change to a site's booths does
        locked = (
            Application.objects.select_for_update(of=("self",), no_key=True)  # as lock_site says why
            .select_related("site", "vendor")
            .get(pk=application.pk)
        )
        if locked.status not in WITHDRAWABLE:
            raise ApplicationRefused(
                [
                    Refusal(
                        NOT_WITHDRAWABLE,
                        gettext("This application is no longer open and cannot be withdrawn."),
                    )
                ]
            )
        released = release([locked], Offer.Status.DECLINED, now)
        change = record_change(locked, Status.WITHDRAWN, "", by)
        locked.save(update_fields=["status", "updated_at"])
        if released:
            promote(site, now)  # after the save: the waiting list reads who is still accepted
    notify(locked, change)
    return released
