"""Open days and hours of a site: weekly hours, closures, changed hours, open-now."""

import datetime
from zoneinfo import ZoneInfo

from events.models import DayException, OpeningHours, Site
from events.schedule import build_schedule, open_state

TEHRAN = ZoneInfo("Asia/Tehran")
# 2027-03-15 is a Monday.
MONDAY = datetime.date(2027, 3, 15)


def hours(weekday: int, opens: int, closes: int) -> OpeningHours:
    return OpeningHours(weekday=weekday, opens=datetime.time(opens), closes=datetime.time(closes))


def site(days: int) -> Site:
    return Site(start_date=MONDAY, end_date=MONDAY + datetime.timedelta(days=days - 1))


def test_schedule_every_day_hours_gives_every_date():
    schedule = build_schedule(site(6), [hours(d, 14, 20) for d in range(7)], [])
    assert [d.date.day for d in schedule.open_days] == [15, 16, 17, 18, 19, 20]
    assert schedule.closures == []


def test_schedule_weekly_bazaar_keeps_only_its_weekday():
    friday = 4
    schedule = build_schedule(site(28), [hours(friday, 16, 21)], [])
    assert [d.date.isoformat() for d in schedule.open_days] == [
        "2027-03-19",
        "2027-03-26",
        "2027-04-02",
        "2027-04-09",
    ]


def test_schedule_closure_removes_the_day_and_is_listed():
    ashura = DayException(date=MONDAY + datetime.timedelta(days=1), closed=True, reason_fa="عاشورا")
    schedule = build_schedule(site(3), [hours(d, 14, 20) for d in range(7)], [ashura])
    assert [d.date.day for d in schedule.open_days] == [15, 17]
    assert schedule.closures == [ashura]


def test_schedule_changed_hours_replace_the_regular_ones():
    ramadan = DayException(date=MONDAY, closed=False, opens=datetime.time(21), closes=datetime.time(23, 30))
    schedule = build_schedule(site(2), [hours(d, 14, 20) for d in range(7)], [ramadan])
    assert [(d.opens, d.closes) for d in schedule.open_days] == [
        (datetime.time(21), datetime.time(23, 30)),
        (datetime.time(14), datetime.time(20)),
    ]


def test_schedule_closure_on_a_day_without_hours_is_not_a_closure():
    tuesday_only = [hours(1, 10, 14)]
    sunday_closed = DayException(date=MONDAY + datetime.timedelta(days=6), closed=True)
    schedule = build_schedule(site(7), tuesday_only, [sunday_closed])
    assert [d.date.day for d in schedule.open_days] == [16]
    assert schedule.closures == []


def test_open_state_before_during_between_and_after():
    schedule = build_schedule(site(2), [hours(d, 14, 20) for d in range(7)], [])

    def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime(2027, 3, day, hour, minute, tzinfo=TEHRAN)

    assert open_state(schedule, at(15, 9)).next_opens == at(15, 14)
    assert open_state(schedule, at(15, 14)).open_now is True
    assert open_state(schedule, at(15, 19, 59)).until == at(15, 20)
    assert open_state(schedule, at(15, 20)).next_opens == at(16, 14)
    after = open_state(schedule, at(16, 20))
    assert (after.open_now, after.until, after.next_opens) == (False, None, None)
