"""iCalendar (RFC 5545) feeds: sites' open days (weekly bazaars as recurrences), in Persian or English.

Events are plain data (FeedEvent) turned into text by a small RFC 5545 writer: icalendar's component
model needs about six seconds for 10,000 events, the writer a small fraction of one (bench/ical.py).
icalendar builds the VTIMEZONE for Asia/Tehran from zoneinfo, for the feed's date range only, and the
tests read every feed back with icalendar, vobject and recurring-ical-events.

UIDs are derived from primary keys and dates only, so they survive re-publishing and edits; SEQUENCE
comes from Site.sequence, which every edit a subscriber must see increases; DTSTAMP comes from the rows'
updated_at, so the same data gives the same bytes and the same ETag.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.translation import gettext, ngettext

from bazaarche.text import digits_for_language

from .models import DayException, Exhibition, OpeningHours, Site
from .schedule import build_schedule, daterange

PRODID = "-//Bazaarche//Bazaarche calendar feeds//FA"
TZID = "Asia/Tehran"
UID_DOMAIN = "bazaarche"
CONFIRMED, TENTATIVE, CANCELLED = "CONFIRMED", "TENTATIVE", "CANCELLED"
# Province and county feeds keep sites that ended this many days ago; older ones drop out.
PAST_DAYS = 60
# Calendar apps that honour it poll this often.
REFRESH = "PT6H"


@functools.cache
def tehran() -> datetime.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(TZID)


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is several times slower
class FeedEvent:
    """One VEVENT. start/end are wall-clock times in Tehran (naive), or dates for all-day events;
    end None means a moment (a deadline). stamp is a UTC instant."""

    uid: str
    summary: str
    start: datetime.datetime | datetime.date
    end: datetime.datetime | datetime.date | None
    stamp: datetime.datetime
    sequence: int = 0
    status: str = CONFIRMED
    description: str = ""
    location: str = ""
    geo: tuple[float, float] | None = None
    url: str = ""
    # A weekly recurrence until this UTC instant (the start of the last occurrence), less exdates.
    weekly_until: datetime.datetime | None = None
    exdates: tuple[datetime.datetime, ...] = ()
    # Set on an override of one occurrence of a recurring event with the same uid.
    recurrence_id: datetime.datetime | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    name: str
    description: str
    events: list[FeedEvent]


# --- the writer -----------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: bytes) -> bytes:
    """Split a content line into 75-octet pieces, never inside a UTF-8 character (RFC 5545 3.1)."""
    if len(line) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while len(line) - start > limit:
        cut = start + limit
        while line[cut] & 0xC0 == 0x80:  # a continuation byte: step back to the character's start
            cut -= 1
        parts.append(line[start:cut])
        start, limit = cut, 74  # continuation lines begin with a space
    parts.append(line[start:])
    return b"\r\n ".join(parts)


def _datetime_text(value: datetime.datetime) -> str:
    """20270320T160000 (isoformat is C, a formatted f-string of six fields three times slower)."""
    if value.microsecond:
        value = value.replace(microsecond=0)
    return value.isoformat().replace("-", "").replace(":", "")


def _utc(value: datetime.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return _datetime_text(value) + "Z"


def _when(name: str, value: datetime.datetime | datetime.date) -> bytes:
    if type(value) is datetime.datetime:
        if value.tzinfo is not None:
            value = tehran_time(value)
        return f"{name};TZID={TZID}:{_datetime_text(value)}".encode()
    return f"{name};VALUE=DATE:{value.year:04d}{value.month:02d}{value.day:02d}".encode()


def _vtimezone(first: datetime.date, last: datetime.date) -> bytes:
    return _vtimezone_cached(first, last)


@functools.lru_cache(maxsize=256)
def _vtimezone_cached(first: datetime.date, last: datetime.date) -> bytes:
    from icalendar import Timezone

    text = Timezone.from_tzid(TZID, first_date=first, last_date=last).to_ical()
    return text.rstrip(b"\r\n")


def _span(events: list[FeedEvent]) -> tuple[datetime.date, datetime.date]:
    """The dates the VTIMEZONE must cover: from the first event's day to the day after the last."""
    first = last = None
    for event in events:
        for value in (event.start, event.end, event.weekly_until):
            if value is None:
                continue
            day = value.date() if isinstance(value, datetime.datetime) else value
            if first is None or day < first:
                first = day
            if last is None or day > last:
                last = day
    if first is None:
        first = last = datetime.date.today()
    return first, last + datetime.timedelta(days=1)


def render(feed: Feed) -> bytes:
    """The feed as an RFC 5545 VCALENDAR. Text lines repeat across a site's days, so they are written once.

    Call it in the feed's language: the texts (names, summaries, descriptions, places) are written with
    that language's digits, whatever was stored; UIDs, dates and links keep theirs.
    """
    text_lines: dict[tuple[str, str], bytes] = {}

    def text(name: str, value: str) -> bytes:
        key = (name, value)
        line = text_lines.get(key)
        if line is None:
            line = text_lines[key] = fold(f"{name}:{escape_text(digits_for_language(value))}".encode())
        return line

    out = [
        b"BEGIN:VCALENDAR",
        b"VERSION:2.0",
        b"PRODID:" + PRODID.encode(),
        b"CALSCALE:GREGORIAN",
        b"METHOD:PUBLISH",
        text("X-WR-CALNAME", feed.name),
    ]
    if feed.description:
        out.append(text("X-WR-CALDESC", feed.description))
    out += [
        b"REFRESH-INTERVAL;VALUE=DURATION:" + REFRESH.encode(),
        b"X-PUBLISHED-TTL:" + REFRESH.encode(),
        _vtimezone(*_span(feed.events)),
    ]
    # What a site's events share (stamp, sequence, status, texts, place, link) is written once.
    shared_blocks: dict[tuple, bytes] = {}

    def shared(e: FeedEvent) -> bytes:
        key = (e.stamp, e.sequence, e.status, e.summary, e.description, e.location, e.geo, e.url)
        block = shared_blocks.get(key)
        if block is None:
            stamp = _utc(e.stamp)
            lines = [
                f"DTSTAMP:{stamp}".encode(),
                f"LAST-MODIFIED:{stamp}".encode(),
                f"SEQUENCE:{e.sequence}".encode(),
                f"STATUS:{e.status}".encode(),
                text("SUMMARY", e.summary),
            ]
            if e.description:
                lines.append(text("DESCRIPTION", e.description))
            if e.location:
                lines.append(text("LOCATION", e.location))
            if e.geo is not None:
                lines.append(f"GEO:{e.geo[0]:.6f};{e.geo[1]:.6f}".encode())
            if e.url:
                lines.append(fold(f"URL:{e.url}".encode()))
            block = shared_blocks[key] = b"\r\n".join(lines)
        return block

    append = out.append
    for e in feed.events:
        append(b"BEGIN:VEVENT")
        append(fold(f"UID:{e.uid}".encode()))
        if e.recurrence_id is not None:
            append(_when("RECURRENCE-ID", e.recurrence_id))
        append(_when("DTSTART", e.start))
        if e.end is not None:
            append(_when("DTEND", e.end))
        if e.weekly_until is not None:
            append(f"RRULE:FREQ=WEEKLY;UNTIL={_utc(e.weekly_until)}".encode())
        if e.exdates:
            append(fold(f"EXDATE;TZID={TZID}:{','.join(_datetime_text(d) for d in e.exdates)}".encode()))
        append(shared(e))
        append(b"END:VEVENT")
    append(b"END:VCALENDAR")
    append(b"")
    return b"\r\n".join(out)


# --- sites as events --------------------------------------------------------------------------------


def uid(*parts: object) -> str:
    return "-".join(str(p) for p in parts) + "@" + UID_DOMAIN


def date_text(date: datetime.date) -> str:
    """20270320: a day as UIDs carry it."""
    return date.isoformat().replace("-", "")


def tehran_time(value: datetime.datetime) -> datetime.datetime:
    """An instant as Tehran's wall-clock time (naive), as a FeedEvent's start and end are given."""
    return value.astimezone(tehran()).replace(tzinfo=None)


def _at(date: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(date, time)


def site_is_cancelled(site: Site) -> bool:
    return site.status == Site.Status.CANCELLED or site.exhibition.status == Exhibition.Status.CANCELLED


def site_location(site: Site) -> str:
    return gettext(", ").join(part for part in (site.venue.name, site.county.name) if part)


def site_geo(site: Site) -> tuple[float, float] | None:
    venue = site.venue
    if venue.latitude is None or venue.longitude is None:
        return None
    return float(venue.latitude), float(venue.longitude)


def site_about(site: Site) -> list[str]:
    """The lines every event of the site describes it with: its exhibition, and its address if known."""
    about = [site.exhibition.title]
    if site.venue.address:
        about.append(site.venue.address)
    return about


def _exception_note(exception: DayException | None, closed: bool) -> str:
    if exception is None:
        return ""
    lines = []
    if closed:
        lines.append(
            gettext("Closed on this day: %(reason)s") % {"reason": exception.reason}
            if exception.reason
            else gettext("Closed on this day.")
        )
    else:
        lines.append(
            gettext("Changed hours on this day: %(reason)s") % {"reason": exception.reason}
            if exception.reason
            else gettext("Changed hours on this day.")
        )
    if exception.estimated:
        lines.append(gettext("The date is an estimate; check it nearer the time."))
    return "\n".join(lines)


class _SiteDays:
    """Makes the events of one site: what they share (texts, place, link, SEQUENCE) is worked out once."""

    def __init__(self, site: Site, url: str):
        cancelled = site_is_cancelled(site)
        self.site = site
        self.status = CANCELLED if cancelled else CONFIRMED
        self.summary = gettext("Cancelled: %(title)s") % {"title": site.title} if cancelled else site.title
        self.description = "\n".join(site_about(site))
        self.common = {
            "stamp": site.updated_at,
            "sequence": site.sequence,
            "location": site_location(site),
            "geo": site_geo(site),
            "url": url,
        }
        self.uid_prefix = f"site-{site.pk}-"

    def event(self, key: str, date: datetime.date, opens, closes, note: str = "", **fields) -> FeedEvent:
        fields.setdefault("status", self.status)
        fields.setdefault("summary", self.summary)
        return FeedEvent(
            uid=f"{self.uid_prefix}{key}@{UID_DOMAIN}",
            start=_at(date, opens),
            end=_at(date, closes),
            description=f"{self.description}\n{note}" if note else self.description,
            **self.common,
            **fields,
        )

    def changed(self, key: str, exception: DayException, **fields) -> FeedEvent:
        """A day open on hours of its own."""
        note = _exception_note(exception, closed=False)
        return self.event(key, exception.date, exception.opens, exception.closes, note, **fields)

    def closed(self, exception: DayException, regular: OpeningHours) -> FeedEvent:
        """A day the site would open on, called off."""
        return self.event(
            date_text(exception.date),
            exception.date,
            regular.opens,
            regular.closes,
            _exception_note(exception, closed=True),
            status=CANCELLED,
            summary=gettext("Closed: %(title)s") % {"title": self.site.title},
        )


def site_events(
    site: Site, hours: list[OpeningHours], exceptions: list[DayException], url: str = ""
) -> list[FeedEvent]:
    """A site's days: one event per open day, or for a weekly bazaar (hours on one weekday) one weekly
    recurrence with closures as EXDATEs and changed hours as overrides of their occurrence.

    A closure of a day the site would open is kept as a CANCELLED event, so subscribers who already
    have the day see it called off; a cancelled site keeps all its events, CANCELLED.
    """
    days = _SiteDays(site, url)
    by_weekday = {h.weekday: h for h in hours}
    if len(by_weekday) != 1:
        return _daily_events(days, hours, exceptions, by_weekday)
    ((weekday, regular),) = by_weekday.items()
    return _weekly_events(days, weekday, regular, exceptions) + _days_off_the_weekday(
        days, weekday, exceptions
    )


def _daily_events(
    days: _SiteDays,
    hours: list[OpeningHours],
    exceptions: list[DayException],
    by_weekday: dict[int, OpeningHours],
) -> list[FeedEvent]:
    """One event per open day and per closed one, in date order."""
    schedule = build_schedule(days.site, hours, exceptions)
    events = [
        days.event(date_text(d.date), d.date, d.opens, d.closes, _exception_note(d.exception, closed=False))
        for d in schedule.open_days
    ]
    events += [days.closed(e, by_weekday[e.date.weekday()]) for e in schedule.closures]
    events.sort(key=lambda e: e.start)
    return events


def _weekly_events(
    days: _SiteDays, weekday: int, regular: OpeningHours, exceptions: list[DayException]
) -> list[FeedEvent]:
    """A weekly bazaar's recurrence, its closed days as EXDATEs, and an override per day of changed hours."""
    site = days.site
    by_date = {e.date: e for e in exceptions}
    regular_dates = [d for d in daterange(site.start_date, site.end_date) if d.weekday() == weekday]
    if not regular_dates:
        return []
    first, last = regular_dates[0], regular_dates[-1]
    exdates = tuple(_at(d, regular.opens) for d in regular_dates if d in by_date and by_date[d].closed)
    events = [
        days.event(
            "weekly",
            first,
            regular.opens,
            regular.closes,
            weekly_until=_at(last, regular.opens).replace(tzinfo=tehran()).astimezone(datetime.UTC),
            exdates=exdates,
        )
    ]
    for d in regular_dates:
        exception = by_date.get(d)
        if exception is not None and not exception.closed:
            events.append(days.changed("weekly", exception, recurrence_id=_at(d, regular.opens)))
    return events


def _days_off_the_weekday(days: _SiteDays, weekday: int, exceptions: list[DayException]) -> list[FeedEvent]:
    """Days a weekly bazaar opens outside its weekday: they stand on their own."""
    site = days.site
    return [
        days.changed(date_text(exception.date), exception)
        for exception in exceptions
        if not exception.closed
        and exception.date.weekday() != weekday
        and site.start_date <= exception.date <= site.end_date
    ]


# --- public feeds ------------------------------------------------------------------------------------


def feed_sites(sites: QuerySet[Site]) -> QuerySet[Site]:
    """Sites that may appear in a public feed.

    Published exhibitions only; an exhibition cancelled after it was published stays, its days
    CANCELLED, so subscribers learn of it. Drafts never appear.
    """
    return sites.filter(
        Q(exhibition__status=Exhibition.Status.PUBLISHED)
        | Q(exhibition__status=Exhibition.Status.CANCELLED, exhibition__published_at__isnull=False)
    ).order_by("start_date", "pk")


def recent(sites: QuerySet[Site], today: datetime.date) -> QuerySet[Site]:
    return sites.filter(end_date__gte=today - datetime.timedelta(days=PAST_DAYS))


@dataclass(frozen=True, slots=True)
class SiteRows:
    site: Site
    hours: list[OpeningHours]
    exceptions: list[DayException]


def load_sites(sites: QuerySet[Site]) -> list[SiteRows]:
    """The sites with their hours and exceptions in three queries whatever their number.

    Hours and exceptions are selected by a subquery on the same filter rather than by
    prefetch_related's list of ids, which costs more than the rows themselves on large feeds.
    """
    site_list = list(sites.select_related("exhibition", "county", "venue"))
    if not site_list:
        return []
    ids = sites.order_by().values("pk")
    hours: dict[int, list[OpeningHours]] = defaultdict(list)
    for h in OpeningHours.objects.filter(site__in=ids).order_by():
        hours[h.site_id].append(h)
    exceptions: dict[int, list[DayException]] = defaultdict(list)
    for e in DayException.objects.filter(site__in=ids).order_by("date"):
        exceptions[e.site_id].append(e)
    return [SiteRows(s, hours[s.pk], exceptions[s.pk]) for s in site_list]


def sites_feed(
    name: str, description: str, sites: Iterable[SiteRows], site_url: Callable[[Site], str]
) -> Feed:
    events: list[FeedEvent] = []
    for rows in sites:
        events += site_events(rows.site, rows.hours, rows.exceptions, site_url(rows.site))
    return Feed(name, description, events)


def province_feed_name() -> str:
    return gettext("Bazaarche: every exhibition and bazaar")


def exhibition_feed_name(exhibition: Exhibition) -> str:
    return gettext("Bazaarche: %(title)s") % {"title": exhibition.title}


def site_feed_name(site: Site) -> str:
    return gettext("Bazaarche: %(title)s") % {"title": site.title}


def county_feed_name(county) -> str:
    return gettext("Bazaarche: exhibitions and bazaars in %(county)s") % {"county": county.name}


def feed_description(n_sites: int) -> str:
    return ngettext(
        "Opening days and hours of %(count)s site, from Bazaarche.",
        "Opening days and hours of %(count)s sites, from Bazaarche.",
        n_sites,
    ) % {"count": digits_for_language(str(n_sites))}


# --- HTTP ---------------------------------------------------------------------------------------------


def feed_language(request: HttpRequest) -> str:
    """Persian unless ?lang=en: feed addresses carry no language prefix, calendar apps send no cookie."""
    return "en" if request.GET.get("lang") == "en" else "fa"


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(request: HttpRequest, etag: str) -> bool:
    candidates = [t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")]
    return etag in candidates or "*" in candidates


def ics_response(
    request: HttpRequest, body: bytes | None, filename: str, private: bool = False, etag: str | None = None
) -> HttpResponse:
    """text/calendar with a strong ETag of the bytes; 304 when the client already has them.

    body may be None when etag is given and the client sent it: the answer is then a 304."""
    etag = etag or etag_of(body)
    if _matches(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache" if private else "public, max-age=900"
    if private:
        # The address is the secret: keep it out of referrers and search engines.
        response["X-Robots-Tag"] = "noindex"
        response["Referrer-Policy"] = "no-referrer"
    return response


# Feeds are kept this long under a key that changes with their sites (see fingerprint); anything the
# fingerprint misses (a write with update() elsewhere) shows after at most one such slot.
CACHE_SLOT = 60


def fingerprint(sites: QuerySet[Site]) -> tuple:
    """One query whose answer changes whenever an edit a feed shows is saved: sites' SEQUENCE (hours,
    closures), their updated_at (titles, dates, venue), status, and their exhibitions' revision."""
    cancelled = Q(status=Site.Status.CANCELLED) | Q(exhibition__status=Exhibition.Status.CANCELLED)
    values = sites.order_by().aggregate(
        n=Count("pk"),
        sequence=Sum("sequence"),
        updated=Max("updated_at"),
        cancelled=Count("pk", filter=cancelled),
        revision=Sum("exhibition__revision"),
        exhibition_updated=Max("exhibition__updated_at"),
    )
    return tuple(values.values())


def cached_feed_response(
    request: HttpRequest, sites: QuerySet[Site], build: Callable[[], bytes], filename: str
) -> HttpResponse:
    """A public feed from the cache when its sites have not changed; a matching ETag costs one query."""
    from django.core.cache import cache

    slot = int(time.time() // CACHE_SLOT)
    key = hashlib.sha256(
        repr(
            (
                request.path,
                feed_language(request),
                request.scheme,
                request.get_host(),
                fingerprint(sites),
                slot,
            )
        ).encode()
    ).hexdigest()
    etag = cache.get(f"ical:etag:{key}")
    if etag is not None and _matches(request, etag):
        return ics_response(request, None, filename, etag=etag)
    body = cache.get(f"ical:body:{key}") if etag is not None else None
    if body is None:
        body = build()
        etag = etag_of(body)
        cache.set_many({f"ical:etag:{key}": etag, f"ical:body:{key}": body}, 2 * CACHE_SLOT)
    return ics_response(request, body, filename, etag=etag)
