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
    date_text,
    site_about,
    site_geo,
    site_is_cancelled,
    site_location,
    tehran_time,
    uid,
)
from events.models import OpeningHours, Site
from events.schedule import SiteSchedule, build_schedule
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


# --- a vendor's booth days --------------------------------------------------------------------------


_SITE_DETAILS = (
    "application__site__exhibition",
    "application__site__county",
    "application__site__venue",
)
_SITE_TIMES = ("application__site__hours", "application__site__exceptions")
_LIVE = (Offer.Status.PENDING, Offer.Status.CONFIRMED)
# Booth days of offers that ended are kept in the feed as CANCELLED this long after the day.
LAPSED_KEPT = datetime.timedelta(days=30)


def _offers_before(application_field: str, pk_field: str) -> Coalesce:
    """How many offers the same application had before this one (each new booth raises SEQUENCE)."""
    earlier = (
        Offer.objects.filter(application=OuterRef(application_field), pk__lt=OuterRef(pk_field))
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(earlier), Value(0))


def vendor_assignments(vendor: Vendor):
    """The vendor's booth days on offers still live, with everything the events need: three queries."""
    return (
        Assignment.objects.filter(application__vendor=vendor, offer__status__in=_LIVE)
        .select_related("booth__hall", "offer", *_SITE_DETAILS)
        .prefetch_related(*_SITE_TIMES)
        .annotate(earlier_offers=_offers_before("application", "offer"))
        .order_by("date", "pk")
    )


def vendor_lapsed_offers(vendor: Vendor):
    """The vendor's declined, lapsed and withdrawn offers, newest first (their booth days are called
    off in the feed rather than dropped, so calendars that kept them hear of it): three queries."""
    return (
        Offer.objects.filter(application__vendor=vendor)
        .exclude(status__in=_LIVE)
        .select_related("booth__hall", *_SITE_DETAILS)
        .prefetch_related(*_SITE_TIMES)
        .annotate(earlier_offers=_offers_before("application", "pk"))
        .order_by("-pk")
    )


def vendor_feed(vendor: Vendor, assignments, application_url, lapsed=(), today=None) -> Feed:
    """One event per booth day (TENTATIVE while the offer waits for the vendor, CANCELLED when the
    day or the site is called off, or the offer was declined, lapsed or withdrawn), and the
    confirmation deadline of each waiting offer.

    SEQUENCE grows with the site's and with every new offer for the same application (a new booth);
    an ended offer's days come two above the SEQUENCE they had while it was live.
    """
    assignments = list(assignments)
    days = _BoothDays(application_url)
    events = [_held_day(days, a) for a in assignments]
    since = (today or datetime.date.today()) - LAPSED_KEPT
    events += _called_off_days(days, lapsed, {(a.application_id, a.date) for a in assignments}, since)
    events += _deadlines(assignments, application_url)
    return Feed(
        gettext("Bazaarche: my booth days, %(business)s") % {"business": vendor.business_name},
        gettext("Your booth days and confirmation deadlines. Keep this address private."),
        events,
    )


class _BoothDays:
    """Makes a vendor's booth-day events; each site's schedule is built once, however many days it has."""

    def __init__(self, application_url):
        self.application_url = application_url
        self.schedules: dict[int, tuple[SiteSchedule, list[OpeningHours]]] = {}

    def _times(self, site: Site, date: datetime.date):
        """(start, end, open): the day's hours; a day the site no longer opens on keeps its weekday's
        regular hours, or the whole day when it has none."""
        if site.pk not in self.schedules:
            hours = list(site.hours.all())
            self.schedules[site.pk] = (build_schedule(site, hours, list(site.exceptions.all())), hours)
        schedule, hours = self.schedules[site.pk]
        day = schedule.day(date)
        if day is not None:
            return (
                datetime.datetime.combine(date, day.opens),
                datetime.datetime.combine(date, day.closes),
                True,
            )
        regular = next((h for h in hours if h.weekday == date.weekday()), None)
        if regular is not None:
            return (
                datetime.datetime.combine(date, regular.opens),
                datetime.datetime.combine(date, regular.closes),
                False,
            )
        return date, date + datetime.timedelta(days=1), False

    def event(self, application_id, site, booth, date, status, sequence, stamp, extra=()) -> FeedEvent:
        start, end, is_open = self._times(site, date)
        if not is_open or site_is_cancelled(site):
            status = CANCELLED
        values = {"booth": booth.code, "site": site.title}
        if status == CANCELLED:
            summary = gettext("Called off: booth %(booth)s, %(site)s") % values
        elif status == TENTATIVE:
            summary = gettext("Booth %(booth)s, %(site)s (to confirm)") % values
        else:
            summary = gettext("Booth %(booth)s, %(site)s") % values
        where = gettext("Booth %(booth)s in %(hall)s") % {"booth": booth.code, "hall": booth.hall.name}
        return FeedEvent(
            uid=uid("booth", application_id, date_text(date)),
            summary=summary,
            start=start,
            end=end,
            stamp=stamp,
            sequence=sequence,
            status=status,
            description="\n".join([where, *site_about(site), *extra]),
            location=site_location(site),
            geo=site_geo(site),
            url=self.application_url(application_id),
        )


def _held_day(days: _BoothDays, assignment: Assignment) -> FeedEvent:
    """A booth day on a live offer: TENTATIVE until the vendor confirms it."""
    offer = assignment.offer
    site = assignment.application.site
    pending = offer.status == Offer.Status.PENDING
    return days.event(
        assignment.application_id,
        site,
        assignment.booth,
        assignment.date,
        TENTATIVE if pending else CONFIRMED,
        site.sequence + 2 * assignment.earlier_offers + (offer.status == Offer.Status.CONFIRMED),
        max(site.updated_at, offer.responded_at or offer.created_at),
        [gettext("Confirm this booth on your page before the deadline.")] if pending else [],
    )


def _called_off_days(days: _BoothDays, lapsed, held: set, since: datetime.date) -> list[FeedEvent]:
    """The recent days of offers that ended, CANCELLED, unless the application holds the day again.
    Newest offer first: an older offer's day already called off is not repeated."""
    held = set(held)
    events = []
    for offer in lapsed:
        site = offer.application.site
        for iso in offer.days:
            date = datetime.date.fromisoformat(iso)
            if date < since or (offer.application_id, date) in held:
                continue
            held.add((offer.application_id, date))
            events.append(
                days.event(
                    offer.application_id,
                    site,
                    offer.booth,
                    date,
                    CANCELLED,
                    site.sequence + 2 * offer.earlier_offers + 2,
                    max(site.updated_at, offer.responded_at or offer.created_at),
                    [str(offer.get_status_display())],
                )
            )
    return events


def _deadlines(assignments, application_url) -> list[FeedEvent]:
    """The moment each offer still waiting for the vendor lapses."""
    waiting = {a.offer.pk: a for a in assignments if a.offer.status == Offer.Status.PENDING}
    return [
        FeedEvent(
            uid=uid("offer", a.offer.pk, "confirm"),
            summary=gettext("Confirm booth %(booth)s by now: %(site)s")
            % {"booth": a.booth.code, "site": a.application.site.title},
            start=tehran_time(a.offer.expires_at),
            end=None,
            stamp=a.offer.created_at,
            sequence=a.application.site.sequence,
            description=gettext(
                "An offer not confirmed by this time lapses and the booth goes to the next vendor."
            ),
            url=application_url(a.offer.application_id),
        )
        for a in waiting.values()
    ]


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
        minute = tehran_time(row["expires_at"]).replace(second=0, microsecond=0)
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
                    start=tehran_time(site.applications_open),
                    end=None,
                    **common,
                )
            )
        if site.applications_close:
            events.append(
                FeedEvent(
                    uid=uid("applications-close", site.pk),
                    summary=gettext("Applications close: %(site)s") % values,
                    start=tehran_time(site.applications_close),
                    end=None,
                    **common,
                )
            )
        for when, count in deadlines.get(site.pk, []):
            events.append(
                FeedEvent(
                    uid=uid(
                        "confirm-by", site.pk, f"{date_text(when.date())}T{when.hour:02d}{when.minute:02d}"
                    ),
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
