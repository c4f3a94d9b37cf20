"""Public calendar feeds: RFC 5545 text that icalendar, vobject and recurring-ical-events read alike."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booths.models import Assignment, Offer
from events import calendar, editing
from events.models import DayException, Exhibition, OpeningHours, Site
from tests import factories

TEHRAN_OFFSET = datetime.timedelta(hours=3, minutes=30)
# A Saturday; 2027-03-21 is Nowruz 1406.
START = datetime.date(2027, 3, 20)
WINDOW = (datetime.datetime(2026, 1, 1), datetime.datetime(2029, 1, 1))


# --- reading a feed three ways -----------------------------------------------------------------------


def _key(uid, start, end, status):
    # A moment (a deadline) has no DTEND; recurring-ical-events gives it one equal to DTSTART.
    end = None if end == start else end
    return (str(uid), start.isoformat(), end.isoformat() if end is not None else None, str(status or ""))


def read_recurring_ical_events(body: bytes) -> set:
    import icalendar
    import recurring_ical_events

    cal = icalendar.Calendar.from_ical(body)
    return {
        _key(e["UID"], e["DTSTART"].dt, e["DTEND"].dt if "DTEND" in e else None, e.get("STATUS"))
        for e in recurring_ical_events.of(cal).between(*WINDOW)
    }


def read_vobject(body: bytes) -> set:
    """vobject expands recurrences without their overrides: apply RECURRENCE-ID events by hand."""
    import vobject

    cal = vobject.readOne(body.decode())
    overrides, instances = {}, set()
    for e in cal.contents.get("vevent", []):
        status = e.status.value if hasattr(e, "status") else ""
        end = e.dtend.value if hasattr(e, "dtend") else None
        if hasattr(e, "recurrence_id"):
            overrides[(e.uid.value, e.recurrence_id.value)] = _key(e.uid.value, e.dtstart.value, end, status)
            continue
        if hasattr(e, "rrule"):
            duration = end - e.dtstart.value
            for start in e.getrruleset(addRDate=True):
                instances.add((e.uid.value, start, duration, status))
        else:
            instances.add(
                (e.uid.value, e.dtstart.value, None if end is None else end - e.dtstart.value, status)
            )
    result = set()
    for uid, start, duration, status in instances:
        key = (uid, start)
        if key in overrides:
            result.add(overrides.pop(key))
        else:
            result.add(_key(uid, start, None if duration is None else start + duration, status))
    assert not overrides, "an override matches no occurrence"
    return result


def read_icalendar(body: bytes) -> set:
    """icalendar's own reading; its rrule and exdate values expanded with dateutil."""
    import icalendar
    from dateutil.rrule import rruleset, rrulestr

    cal = icalendar.Calendar.from_ical(body)
    events = list(cal.walk("VEVENT"))
    overrides = {(str(e["UID"]), e["RECURRENCE-ID"].dt): e for e in events if "RECURRENCE-ID" in e}
    result = set()
    for e in events:
        if "RECURRENCE-ID" in e:
            continue
        start, end = e["DTSTART"].dt, e["DTEND"].dt if "DTEND" in e else None
        if "RRULE" not in e:
            result.add(_key(e["UID"], start, end, e.get("STATUS")))
            continue
        rules = rruleset()
        rules.rrule(rrulestr(e["RRULE"].to_ical().decode(), dtstart=start))
        for exdate in e.get("EXDATE", []) if isinstance(e.get("EXDATE"), list) else [e.get("EXDATE")]:
            if exdate is not None:
                for d in exdate.dts:
                    rules.exdate(d.dt)
        for occurrence in rules:
            override = overrides.pop((str(e["UID"]), occurrence), None)
            if override is not None:
                result.add(
                    _key(
                        override["UID"], override["DTSTART"].dt, override["DTEND"].dt, override.get("STATUS")
                    )
                )
            else:
                result.add(_key(e["UID"], occurrence, occurrence + (end - start), e.get("STATUS")))
    assert not overrides
    return result


def read_all(body: bytes) -> set:
    """The feed's occurrences, the same in all three readers, every time at +03:30."""
    by_rie, by_vobject, by_icalendar = (
        read_recurring_ical_events(body),
        read_vobject(body),
        read_icalendar(body),
    )
    assert by_rie == by_vobject == by_icalendar
    for _, start, end, _ in by_rie:
        assert start.endswith("+03:30")
        assert end is None or end.endswith("+03:30")
    return by_rie


def props(body: bytes, name: str) -> list[str]:
    unfolded = body.decode().replace("\r\n ", "")
    return re.findall(rf"^{name}[;:](.*)\r$", unfolded, flags=re.M)


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture
def fair(db):
    """A six-day fair: one day with changed hours (estimated), one closed day."""
    exhibition = factories.exhibition(slug="nowruz", title_fa="نمایشگاه نوروزی", title_en="Nowruz fair")
    venue = factories.venue(latitude="33.487654", longitude="48.355432", address_fa="خیابان شریعتی")
    site = factories.site(
        exhibition,
        slug="khorramabad-fair",
        title_fa="خرم‌آباد، نمایشگاه نوروزی; ویژه",
        title_en="Khorramabad Nowruz fair",
        start_date=START,
        end_date=START + datetime.timedelta(days=5),
        venue=venue,
        hours=(16, 22),
    )
    DayException.objects.create(
        site=site,
        date=START + datetime.timedelta(days=2),
        closed=False,
        opens=datetime.time(18),
        closes=datetime.time(23, 30),
        reason_fa="ساعت ویژه",
        estimated=True,
    )
    DayException.objects.create(
        site=site, date=START + datetime.timedelta(days=4), closed=True, reason_fa="تعطیل"
    )
    return site


@pytest.fixture
def friday_bazaar(db):
    """A Friday bazaar over five Fridays: one closed, one with changed hours, plus an extra Thursday."""
    exhibition = factories.exhibition(slug="fridays")
    start = datetime.date(2027, 4, 2)  # a Friday
    site = factories.site(
        exhibition,
        county_slug="dorud",
        slug="dorud-friday",
        title_fa="جمعه‌بازار دورود",
        title_en="Dorud Friday bazaar",
        start_date=start,
        end_date=start + datetime.timedelta(days=30),
        hours=None,
    )
    OpeningHours.objects.create(site=site, weekday=4, opens=datetime.time(8), closes=datetime.time(13))
    DayException.objects.create(
        site=site, date=start + datetime.timedelta(days=14), closed=True, reason_fa="عزا"
    )
    DayException.objects.create(
        site=site,
        date=start + datetime.timedelta(days=21),
        closed=False,
        opens=datetime.time(9),
        closes=datetime.time(12),
    )
    DayException.objects.create(
        site=site,
        date=start + datetime.timedelta(days=6),
        closed=False,
        opens=datetime.time(16),
        closes=datetime.time(20),
    )
    return site


def at(date, hour, minute=0) -> str:
    return datetime.datetime.combine(date, datetime.time(hour, minute), calendar.tehran()).isoformat()


# --- the feeds ---------------------------------------------------------------------------------------


def test_site_feed_days_hours_and_cancelled_closure_read_alike_in_three_readers(client: Client, fair):
    body = client.get("/calendar/sites/khorramabad-fair.ics").content
    d = [START + datetime.timedelta(days=n) for n in range(6)]
    uid = f"site-{fair.pk}-{{}}@bazaarche"
    assert read_all(body) == {
        (uid.format("20270320"), at(d[0], 16), at(d[0], 22), "CONFIRMED"),
        (uid.format("20270321"), at(d[1], 16), at(d[1], 22), "CONFIRMED"),
        (uid.format("20270322"), at(d[2], 18), at(d[2], 23, 30), "CONFIRMED"),
        (uid.format("20270323"), at(d[3], 16), at(d[3], 22), "CONFIRMED"),
        (uid.format("20270324"), at(d[4], 16), at(d[4], 22), "CANCELLED"),
        (uid.format("20270325"), at(d[5], 16), at(d[5], 22), "CONFIRMED"),
    }


def test_feed_headers_timezone_and_properties(client: Client, fair):
    response = client.get("/calendar/sites/khorramabad-fair.ics")
    body = response.content
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert body.startswith(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bazaarche//Bazaarche calendar feeds//FA\r\n"
    )
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert props(body, "X-WR-CALNAME") == ["بازارچه: خرم‌آباد، نمایشگاه نوروزی\\; ویژه"]
    # Asia/Tehran, +03:30 without daylight saving since 2022, only for the feed's dates.
    assert props(body, "TZID") == ["Asia/Tehran"]
    assert props(body, "TZOFFSETTO") == ["+0330"]
    assert props(body, "COMMENT") == ["This timezone only works from 2027-03-20 to 2027-03-26."]
    assert body.count(b"BEGIN:DAYLIGHT") == 0
    assert props(body, "SUMMARY")[0] == "خرم‌آباد، نمایشگاه نوروزی\\; ویژه"
    assert props(body, "LOCATION")[0] == "نمایشگاه بین‌المللی لرستان، خرم‌آباد"
    assert props(body, "GEO")[0] == "33.487654;48.355432"
    assert props(body, "URL")[0] == "http://testserver/sites/khorramabad-fair/"
    assert (
        props(body, "DESCRIPTION")[2]
        == "نمایشگاه نوروزی\\nخیابان شریعتی\\nساعت‌ها در این روز تغییر کرده است: ساعت ویژه\\nتاریخ تخمینی است؛ نزدیک روز آن را بررسی کنید."
    )
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))


def test_feed_in_english_with_lang_en(client: Client, fair):
    body = client.get("/calendar/sites/khorramabad-fair.ics?lang=en").content
    assert props(body, "X-WR-CALNAME") == ["Bazaarche: Khorramabad Nowruz fair"]
    assert props(body, "SUMMARY")[0] == "Khorramabad Nowruz fair"
    assert props(body, "SUMMARY")[4] == "Closed: Khorramabad Nowruz fair"
    assert props(body, "URL")[0] == "http://testserver/en/sites/khorramabad-fair/"
    assert props(body, "LOCATION")[0] == "Lorestan International Fairground\\, Khorramabad"


def test_weekly_bazaar_is_one_recurrence_that_expands_without_closures(client: Client, friday_bazaar):
    import icalendar
    import recurring_ical_events

    body = client.get("/calendar/sites/dorud-friday.ics").content
    weekly = f"site-{friday_bazaar.pk}-weekly@bazaarche"
    assert props(body, "RRULE") == ["FREQ=WEEKLY;UNTIL=20270430T043000Z"]
    assert props(body, "EXDATE") == ["TZID=Asia/Tehran:20270416T080000"]
    assert props(body, "RECURRENCE-ID") == ["TZID=Asia/Tehran:20270423T080000"]
    fridays = [datetime.date(2027, 4, 2) + datetime.timedelta(days=7 * n) for n in range(5)]
    thursday = datetime.date(2027, 4, 8)
    assert read_all(body) == {
        (weekly, at(fridays[0], 8), at(fridays[0], 13), "CONFIRMED"),
        (weekly, at(fridays[1], 8), at(fridays[1], 13), "CONFIRMED"),
        (weekly, at(fridays[3], 9), at(fridays[3], 12), "CONFIRMED"),
        (weekly, at(fridays[4], 8), at(fridays[4], 13), "CONFIRMED"),
        (f"site-{friday_bazaar.pk}-20270408@bazaarche", at(thursday, 16), at(thursday, 20), "CONFIRMED"),
    }
    # The closed Friday is not among the occurrences on that day.
    cal = icalendar.Calendar.from_ical(body)
    assert recurring_ical_events.of(cal).at(fridays[2]) == []


def test_uids_and_bytes_stay_the_same_across_requests_and_a_republish(client: Client, fair, friday_bazaar):
    first = client.get("/calendar/province.ics")
    second = client.get("/calendar/province.ics")
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    editing.publish_exhibition(fair.exhibition)
    again = client.get("/calendar/province.ics")
    assert props(again.content, "UID") == props(first.content, "UID")
    assert props(again.content, "SEQUENCE") == props(first.content, "SEQUENCE")
    assert again["ETag"] == first["ETag"]


def test_editing_a_site_bumps_sequence_and_a_new_closure_cancels_that_day(client: Client, fair):
    before = client.get("/calendar/sites/khorramabad-fair.ics").content
    day = START + datetime.timedelta(days=1)
    editing.add_exception(fair, {"date": day, "closed": True, "reason_fa": "سوگواری"})
    after = client.get("/calendar/sites/khorramabad-fair.ics").content
    assert props(before, "SEQUENCE") == ["0"] * 6
    assert props(after, "SEQUENCE") == ["1"] * 6
    assert props(after, "UID") == props(before, "UID")
    uid = f"site-{fair.pk}-20270321@bazaarche"
    assert (uid, at(day, 16), at(day, 22), "CANCELLED") in read_all(after)
    assert (uid, at(day, 16), at(day, 22), "CONFIRMED") in read_all(before)


def test_a_cancelled_site_keeps_its_days_cancelled(client: Client, fair):
    Site.objects.filter(pk=fair.pk).update(status=Site.Status.CANCELLED, sequence=3)
    body = client.get("/calendar/sites/khorramabad-fair.ics").content
    assert {status for *_, status in read_all(body)} == {"CANCELLED"}
    assert props(body, "SEQUENCE") == ["3"] * 6
    assert props(body, "SUMMARY")[0] == "لغو شد: خرم‌آباد، نمایشگاه نوروزی\\; ویژه"


def test_only_published_exhibitions_are_in_public_feeds(client: Client, fair):
    draft = factories.exhibition(slug="draft-one", status=Exhibition.Status.DRAFT)
    factories.site(draft, slug="draft-site", start_date=START, end_date=START)
    cancelled_unpublished = factories.exhibition(slug="never", status=Exhibition.Status.CANCELLED)
    factories.site(cancelled_unpublished, slug="never-site", start_date=START, end_date=START)
    assert client.get("/calendar/exhibitions/draft-one.ics").status_code == 404
    assert client.get("/calendar/sites/draft-site.ics").status_code == 404
    assert client.get("/calendar/exhibitions/never.ics").status_code == 404
    assert client.get("/calendar/sites/never-site.ics").status_code == 404
    assert client.get("/calendar/exhibitions/nowhere.ics").status_code == 404
    assert client.get("/calendar/counties/nowhere.ics").status_code == 404
    province = client.get("/calendar/province.ics").content
    county = client.get("/calendar/counties/khorramabad.ics").content
    exhibition = client.get("/calendar/exhibitions/nowruz.ics").content
    for body in (province, county, exhibition):
        assert {uid.split("-")[1] for uid in props(body, "UID")} == {str(fair.pk)}


def test_an_exhibition_cancelled_after_publishing_stays_with_its_days_cancelled(client: Client, fair):
    Exhibition.objects.filter(pk=fair.exhibition_id).update(
        status=Exhibition.Status.CANCELLED, published_at=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
    )
    body = client.get("/calendar/exhibitions/nowruz.ics").content
    assert {status for *_, status in read_all(body)} == {"CANCELLED"}


def test_county_feed_has_only_that_county(client: Client, fair, friday_bazaar):
    body = client.get("/calendar/counties/dorud.ics").content
    assert {uid.split("-")[1] for uid in props(body, "UID")} == {str(friday_bazaar.pk)}
    assert props(body, "X-WR-CALNAME") == ["بازارچه: نمایشگاه‌ها و بازارچه‌های دورود"]


def test_etag_answers_304(client: Client, fair):
    response = client.get("/calendar/sites/khorramabad-fair.ics")
    again = client.get("/calendar/sites/khorramabad-fair.ics", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    other = client.get("/calendar/sites/khorramabad-fair.ics", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200
    english = client.get("/calendar/sites/khorramabad-fair.ics?lang=en")
    assert english["ETag"] != response["ETag"]


def _sites(n: int) -> None:
    exhibition = factories.exhibition()
    for i in range(n):
        site = factories.site(exhibition, start_date=START, end_date=START + datetime.timedelta(days=6))
        DayException.objects.create(site=site, date=START, closed=True)
        if i % 2:
            OpeningHours.objects.filter(site=site).exclude(weekday=4).delete()


@pytest.mark.parametrize(
    "url", ["/calendar/province.ics", "/calendar/counties/khorramabad.ics", "/calendar/exhibitions/{}.ics"]
)
def test_feed_query_count_does_not_grow_with_sites(client: Client, db, url):
    def count(n):
        Exhibition.objects.all().delete()
        _sites(n)
        slug = Exhibition.objects.get().slug
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url.format(slug)).status_code == 200
        return len(queries)

    assert count(1) == count(12)


def test_public_feeds_carry_no_vendor_data(client: Client, fair):
    vendor = factories.vendor(
        first_name="زهره", last_name="کاظمی", mobile="09161234567", business_name="ترشی زهره"
    )
    application = factories.application(fair, vendor, status="accepted")
    booth = factories.booth(factories.hall(fair), code="A-01")
    offer = Offer.objects.create(
        application=application,
        booth=booth,
        days=[START.isoformat()],
        status=Offer.Status.CONFIRMED,
        expires_at=datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC),
    )
    Assignment.objects.create(booth=booth, date=START, application=application, offer=offer)
    for url in (
        "/calendar/province.ics",
        "/calendar/sites/khorramabad-fair.ics",
        "/calendar/exhibitions/nowruz.ics",
        "/calendar/counties/khorramabad.ics",
    ):
        text = client.get(url).content.decode()
        for private in (
            vendor.mobile,
            vendor.national_id,
            vendor.last_name,
            vendor.business_name,
            vendor.tracking_code,
        ):
            assert private not in text


def test_fold_never_splits_a_character():
    line = ("SUMMARY:" + "بازارچهٔ مشاغل خانگی " * 20).encode()
    folded = calendar.fold(line)
    pieces = folded.split(b"\r\n")
    assert all(len(p) <= 75 for p in pieces)
    for piece in pieces:
        piece.decode()  # each piece is whole UTF-8
    assert b"".join(p.removeprefix(b" ") for p in pieces) == line


def test_escape_text():
    assert calendar.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


# --- pages -----------------------------------------------------------------------------------------


def test_pages_link_their_feeds(client: Client, fair):
    site_page = client.get("/sites/khorramabad-fair/").content.decode()
    assert (
        '<link rel="alternate" type="text/calendar" href="/calendar/sites/khorramabad-fair.ics" '
        'title="خرم‌آباد، نمایشگاه نوروزی; ویژه">'
    ) in site_page
    assert 'href="webcal://testserver/calendar/sites/khorramabad-fair.ics"' in site_page
    assert 'href="/calendar/sites/khorramabad-fair.ics" download' in site_page
    english = client.get("/en/exhibitions/nowruz/").content.decode()
    assert 'href="/calendar/exhibitions/nowruz.ics?lang=en" title="Nowruz fair">' in english
    assert 'href="webcal://testserver/calendar/exhibitions/nowruz.ics?lang=en"' in english
    home = client.get("/").content.decode()
    assert '<link rel="alternate" type="text/calendar" href="/calendar/province.ics"' in home


def test_calendars_page_lists_province_county_and_exhibition_feeds(client: Client, fair, friday_bazaar):
    page = client.get("/calendars/").content.decode()
    assert page.count('href="webcal://testserver/calendar/') == 1 + 2 + 2
    assert 'href="webcal://testserver/calendar/counties/dorud.ics"' in page
    assert 'href="webcal://testserver/calendar/exhibitions/fridays.ics"' in page


def test_draft_pages_show_no_feed_links(client: Client, db):
    organiser = factories.provincial_organiser()
    draft = factories.exhibition(slug="draft-x", status=Exhibition.Status.DRAFT)
    factories.site(draft, slug="draft-x-site")
    client.force_login(organiser)
    assert "text/calendar" not in client.get("/sites/draft-x-site/").content.decode()
    assert "webcal://" not in client.get("/exhibitions/draft-x/").content.decode()


def test_an_unchanged_feed_comes_from_the_cache_and_a_matching_etag_costs_one_query(client: Client, fair):
    first = client.get("/calendar/province.ics")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/calendar/province.ics", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        cached = client.get("/calendar/province.ics")
    assert cached.content == first.content
    assert len(queries) == 1
    # An edit changes the fingerprint at once: the next request builds the feed again.
    editing.add_exception(fair, {"date": START, "closed": True})
    changed = client.get("/calendar/province.ics", headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_calendars_page_query_count_does_not_grow(client: Client, db):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/calendars/").status_code == 200
        return len(queries)

    factories.site(slug="one", start_date=START, end_date=START)
    few = count()
    for county in ("dorud", "borujerd", "aligudarz", "kuhdasht"):
        factories.site(county_slug=county, start_date=START, end_date=START)
    assert count() == few


def test_feed_text_reads_digits_in_the_feed_language_and_keeps_links(client: Client, db):
    exhibition = factories.exhibition(title_fa="نمایشگاه 1405", title_en="", slug="fair-1405")
    venue = factories.venue("khorramabad", address_fa="خیابان ۱۲")  # stored unnormalised
    factories.site(
        exhibition, slug="bazaar-12", title_fa="بازارچه 12", start_date=START, end_date=START, venue=venue
    )
    fa = client.get("/calendar/sites/bazaar-12.ics?lang=fa").content
    en = client.get("/calendar/sites/bazaar-12.ics?lang=en").content
    assert client.get("/calendar/sites/bazaar-12.ics").content == fa  # Persian unless ?lang=en
    assert (props(fa, "X-WR-CALNAME"), props(fa, "SUMMARY"), props(fa, "DESCRIPTION")) == (
        ["بازارچه: بازارچه ۱۲"],
        ["بازارچه ۱۲"],
        ["نمایشگاه ۱۴۰۵\\nخیابان ۱۲"],
    )
    assert props(fa, "URL") == ["http://testserver/sites/bazaar-12/"]
    assert props(fa, "UID") == [f"site-{Site.objects.get(slug='bazaar-12').pk}-20270320@bazaarche"]
    assert (props(en, "SUMMARY"), props(en, "DESCRIPTION")) == (["بازارچه 12"], ["نمایشگاه 1405\\nخیابان 12"])
