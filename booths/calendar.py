"""Private calendar feeds: a vendor's booth days, an organiser's deadlines; their secret addresses.

Both are reached only through a secret token in the address (Vendor.calendar_token,
User.calendar_token); replacing the token retires the old address at once.
"""

from __future__ import annotations

import datetime
import secrets
from collections import defaultdict

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, ngettext

from bazaarche.text import digits_for_language
from events.calendar import (
    CANCELLED,
    CONFIRMED,
    TENTATIVE,
    Feed,
    FeedEvent,
    site_geo,
    site_is_cancelled,
    site_location,
    tehran,
    uid,
)
from events.models import Site
from events.schedule import build_schedule
from vendors.models import User, Vendor

from .models import Assignment, Offer
from .permissions import sites_in_scope


def new_token() -> str:
    return secrets.token_urlsafe(24)


def regenerate_vendor_token(vendor: Vendor) -> str:
    vendor.calendar_token = new_token()
    # update(), not save(): nothing else about the vendor changes.
    Vendor.objects.filter(pk=vendor.pk).update(calendar_token=vendor.calendar_token)
    return vendor.calendar_token


def regenerate_user_token(user: User) -> str:
    user.calendar_token = new_token()
    User.objects.filter(pk=user.pk).update(calendar_token=user.calendar_token)
    return user.calendar_token


def _local(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(tehran()).replace(tzinfo=None)


def _day(date: datetime.date) -> str:
    return f"{date.year:04d}{date.month:02d}{date.day:02d}"


# --- a vendor's booth days --------------------------------------------------------------------------


def vendor_assignments(vendor: Vendor):
    """The vendor's booth days on offers still live, with everything the events need: three queries."""
    earlier_offers = (
        Offer.objects.filter(application=OuterRef("application"), pk__lt=OuterRef("offer"))
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Assignment.objects.filter(
            application__vendor=vendor, offer__status__in=[Offer.Status.PENDING, Offer.Status.CONFIRMED]
        )
        .select_related(
            "booth__hall",
            "offer",
            "application__site__exhibition",
            "application__site__county",
            "application__site__venue",
        )
        .prefetch_related("application__site__hours", "application__site__exceptions")
        .annotate(earlier_offers=Coalesce(Subquery(earlier_offers), Value(0)))
        .order_by("date", "pk")
    )


def vendor_feed(vendor: Vendor, assignments, application_url) -> Feed:
    """One event per booth day (TENTATIVE while the offer waits for the vendor, CANCELLED when the
    day or the site is called off), and the confirmation deadline of each waiting offer.

    SEQUENCE grows with the site's and with every new offer for the same application (a new booth).
    """
    schedules = {}
    events: list[FeedEvent] = []
    deadlines: dict[int, tuple[Offer, Site, str]] = {}
    for a in assignments:
        site: Site = a.application.site
        if site.pk not in schedules:
            hours = list(site.hours.all())
            schedules[site.pk] = (build_schedule(site, hours, list(site.exceptions.all())), hours)
        schedule, hours = schedules[site.pk]
        offer = a.offer
        day = schedule.day(a.date)
        status = TENTATIVE if offer.status == Offer.Status.PENDING else CONFIRMED
        if day is None or site_is_cancelled(site):
            status = CANCELLED
        if day is not None:
            start, end = (
                datetime.datetime.combine(a.date, day.opens),
                datetime.datetime.combine(a.date, day.closes),
            )
        else:
            regular = next((h for h in hours if h.weekday == a.date.weekday()), None)
            if regular is not None:
                start = datetime.datetime.combine(a.date, regular.opens)
                end = datetime.datetime.combine(a.date, regular.closes)
            else:
                start, end = a.date, a.date + datetime.timedelta(days=1)
        booth, hall = a.booth, a.booth.hall
        values = {"booth": booth.code, "site": site.title}
        if status == CANCELLED:
            summary = gettext("Called off: booth %(booth)s, %(site)s") % values
        elif status == TENTATIVE:
            summary = gettext("Booth %(booth)s, %(site)s (to confirm)") % values
        else:
            summary = gettext("Booth %(booth)s, %(site)s") % values
        lines = [
            gettext("Booth %(booth)s in %(hall)s") % {"booth": booth.code, "hall": hall.name},
            site.exhibition.title,
        ]
        if site.venue.address:
            lines.append(site.venue.address)
        if offer.status == Offer.Status.PENDING:
            deadlines[offer.pk] = (offer, site, booth.code)
            lines.append(gettext("Confirm this booth on your page before the deadline."))
        events.append(
            FeedEvent(
                uid=uid("booth", a.application_id, _day(a.date)),
                summary=summary,
                start=start,
                end=end,
                stamp=max(site.updated_at, offer.responded_at or offer.created_at),
                sequence=site.sequence + 2 * a.earlier_offers + (offer.status == Offer.Status.CONFIRMED),
                status=status,
                description="\n".join(lines),
                location=site_location(site),
                geo=site_geo(site),
                url=application_url(a.application_id),
            )
        )
    for offer, site, booth_code in deadlines.values():
        events.append(
            FeedEvent(
                uid=uid("offer", offer.pk, "confirm"),
                summary=gettext("Confirm booth %(booth)s by now: %(site)s")
                % {"booth": booth_code, "site": site.title},
                start=_local(offer.expires_at),
                end=None,
                stamp=offer.created_at,
                sequence=site.sequence,
                description=gettext(
                    "An offer not confirmed by this time lapses and the booth goes to the next vendor."
                ),
                url=application_url(offer.application_id),
            )
        )
    return Feed(
        gettext("Bazaarche: my booth days, %(business)s") % {"business": vendor.business_name},
        gettext("Your booth days and confirmation deadlines. Keep this address private."),
        events,
    )


# --- an organiser's deadlines -----------------------------------------------------------------------


def organiser_sites(user: User):
    return sites_in_scope(user).select_related("exhibition", "county", "venue").order_by("start_date", "pk")


def pending_offer_deadlines(sites) -> dict[int, list[tuple[datetime.datetime, int]]]:
    """Per site: (deadline, number of offers) for offers still waiting for the vendor. One query."""
    rows = (
        Offer.objects.filter(status=Offer.Status.PENDING, application__site__in=[s.pk for s in sites])
        .values("application__site", "expires_at")
        .annotate(n=Count("pk"))
        .order_by("application__site", "expires_at")
    )
    by_site: dict[int, dict[datetime.datetime, int]] = defaultdict(dict)
    for row in rows:
        # Offers published together expire within the same minute: one event for them.
        minute = _local(row["expires_at"]).replace(second=0, microsecond=0)
        counts = by_site[row["application__site"]]
        counts[minute] = counts.get(minute, 0) + row["n"]
    return {site: sorted(counts.items()) for site, counts in by_site.items()}


def organiser_feed(user: User, sites, deadlines, site_url) -> Feed:
    """Application windows (opening and closing moments) and confirmation deadlines of the sites in scope."""
    events: list[FeedEvent] = []
    for site in sites:
        status = CANCELLED if site_is_cancelled(site) else CONFIRMED
        common = {
            "stamp": site.updated_at,
            "sequence": site.sequence,
            "status": status,
            "url": site_url(site),
        }
        values = {"site": site.title}
        if site.applications_open:
            events.append(
                FeedEvent(
                    uid=uid("applications-open", site.pk),
                    summary=gettext("Applications open: %(site)s") % values,
                    start=_local(site.applications_open),
                    end=None,
                    **common,
                )
            )
        if site.applications_close:
            events.append(
                FeedEvent(
                    uid=uid("applications-close", site.pk),
                    summary=gettext("Applications close: %(site)s") % values,
                    start=_local(site.applications_close),
                    end=None,
                    **common,
                )
            )
        for when, count in deadlines.get(site.pk, []):
            events.append(
                FeedEvent(
                    uid=uid("confirm-by", site.pk, f"{_day(when.date())}T{when.hour:02d}{when.minute:02d}"),
                    summary=ngettext(
                        "%(count)s offer to be confirmed by now: %(site)s",
                        "%(count)s offers to be confirmed by now: %(site)s",
                        count,
                    )
                    % {"count": digits_for_language(str(count)), "site": site.title},
                    start=when,
                    end=None,
                    **common,
                )
            )
    if user.organiser_county_id:
        name = gettext("Bazaarche deadlines: %(county)s") % {"county": user.organiser_county.name}
    else:
        name = gettext("Bazaarche deadlines: %(province)s") % {"province": user.organiser_province.name}
    return Feed(
        name, gettext("Application windows and confirmation deadlines. Keep this address private."), events
    )
