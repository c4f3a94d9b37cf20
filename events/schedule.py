"""A site's open days and hours: weekly hours, less closures, with exceptional hours applied."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext

from .models import DayException, OpeningHours, Site


@dataclass(frozen=True)
class OpenDay:
    date: datetime.date
    opens: datetime.time
    closes: datetime.time
    exception: DayException | None = None


@dataclass(frozen=True)
class SiteSchedule:
    open_days: list[OpenDay]
    closures: list[DayException]

    def day(self, date: datetime.date) -> OpenDay | None:
        return next((d for d in self.open_days if d.date == date), None)


def daterange(start: datetime.date, end: datetime.date):
    for offset in range((end - start).days + 1):
        yield start + datetime.timedelta(days=offset)


def build_schedule(site: Site, hours: list[OpeningHours], exceptions: list[DayException]) -> SiteSchedule:
    """Works over lists already fetched (prefetch hours and exceptions), so it costs no queries."""
    by_weekday = {h.weekday: h for h in hours}
    by_date = {e.date: e for e in exceptions}
    open_days, closures = [], []
    for date in daterange(site.start_date, site.end_date):
        exception = by_date.get(date)
        regular = by_weekday.get(date.weekday())
        if exception is not None and exception.closed:
            if regular is not None:
                closures.append(exception)
            continue
        if exception is not None:
            open_days.append(OpenDay(date, exception.opens, exception.closes, exception))
        elif regular is not None:
            open_days.append(OpenDay(date, regular.opens, regular.closes))
    return SiteSchedule(open_days, closures)


def schedule_for(site: Site) -> SiteSchedule:
    return build_schedule(site, list(site.hours.all()), list(site.exceptions.all()))


@dataclass(frozen=True)
class OpenState:
    """Where a site stands at a moment: open now (until when), opening later (when), or over."""

    open_now: bool
    until: datetime.datetime | None = None
    next_opens: datetime.datetime | None = None


def open_state(schedule: SiteSchedule, now: datetime.datetime) -> OpenState:
    tz = now.tzinfo
    for day in schedule.open_days:
        opens = datetime.datetime.combine(day.date, day.opens, tzinfo=tz)
        closes = datetime.datetime.combine(day.date, day.closes, tzinfo=tz)
        if opens <= now < closes:
            return OpenState(True, until=closes)
        if now < opens:
            return OpenState(False, next_opens=opens)
    return OpenState(False)


# The Iranian week starts on Saturday (Python weekday 5).
SATURDAY_FIRST = [5, 6, 0, 1, 2, 3, 4]


def week_end(today: datetime.date) -> datetime.date:
    """The last day of today's week: the Friday on or after today (the Iranian week is Saturday to Friday).

    The week does not move with settings.WEEKEND_DAYS, which says only which days are off: with
    Thursday and Friday off, the week still ends on Friday. On a Friday, this week is that day alone.
    """
    return today + datetime.timedelta(days=(SATURDAY_FIRST[-1] - today.weekday()) % 7)


# Where a site stands for a visitor at a moment, in the order the home page lists them.
OPEN_NOW, TODAY, THIS_WEEK, LATER = "now", "today", "week", "later"
STANDINGS = (OPEN_NOW, TODAY, THIS_WEEK, LATER)


@dataclass(frozen=True)
class Standing:
    """A site's place on the home page at a moment: open now, later today, this week or later.

    day is the open day that puts it there (today, or its next open day) with that day's hours;
    opens and closes are None for a site that has no hours set.
    """

    when: str
    day: datetime.date
    opens: datetime.time | None = None
    closes: datetime.time | None = None

    def sort_key(self) -> tuple:
        return (
            STANDINGS.index(self.when),
            self.day,
            self.opens if self.opens is not None else datetime.time.max,
        )


def standing(
    open_days: list[tuple[datetime.date, datetime.time | None, datetime.time | None]],
    now: datetime.datetime,
) -> Standing | None:
    """Where a site with these (date, opens, closes) open days stands at now (local time); None when over.

    A site whose hours today are over goes by its next open day: nothing more is open there today.
    """
    today, time = now.date(), now.time()
    last_of_week = week_end(today)
    for day, opens, closes in open_days:
        if day < today:
            continue
        if day == today:
            if opens is None or closes is None:
                return Standing(TODAY, day)
            if time >= closes:
                continue
            return Standing(OPEN_NOW if time >= opens else TODAY, day, opens, closes)
        return Standing(THIS_WEEK if day <= last_of_week else LATER, day, opens, closes)
    return None


def week_order(hours: list[OpeningHours]) -> list[OpeningHours]:
    return sorted(hours, key=lambda h: SATURDAY_FIRST.index(h.weekday))


def same_hours_every_day(hours: list[OpeningHours]) -> bool:
    return len(hours) == 7 and len({(h.opens, h.closes) for h in hours}) == 1


def weekly_label(hours: list[OpeningHours]) -> str:
    """«Every Friday» for a weekly bazaar; empty for a site open every day or with no hours."""
    if not hours or len(hours) == 7:
        return ""
    names = [h.get_weekday_display() for h in week_order(hours)]
    return gettext("Every %(days)s") % {"days": gettext(", ").join(names)}
