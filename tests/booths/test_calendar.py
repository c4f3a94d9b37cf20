"""Private calendar feeds: a vendor's booth days, an organiser's deadlines, both behind a secret."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bazaarche.text import to_persian_digits
from booths import calendar
from booths.models import Assignment, Offer
from events.models import DayException, Site
from tests import factories
from tests.events.test_calendar import at, props, read_all

START = datetime.date(2027, 3, 20)
UTC = datetime.UTC


def offer(application, booth, days, status=Offer.Status.CONFIRMED, expires=None):
    o = Offer.objects.create(
        application=application,
        booth=booth,
        days=[d.isoformat() for d in days],
        status=status,
        expires_at=expires or datetime.datetime(2027, 3, 10, 20, 30, tzinfo=UTC),
    )
    Assignment.objects.bulk_create(
        Assignment(booth=booth, date=d, application=application, offer=o) for d in days
    )
    return o


@pytest.fixture
def booked(db):
    """A vendor with a confirmed booth at one site and a pending one at another; a declined one elsewhere."""
    vendor_user = factories.user(mobile="09161111111")
    vendor = factories.vendor(user=vendor_user, business_name="ترشی‌سرای مریم")
    fair = factories.site(
        slug="fair",
        title_fa="نمایشگاه خرم‌آباد",
        start_date=START,
        end_date=START + datetime.timedelta(days=4),
    )
    hall = factories.hall(fair, name_fa="سالن یک")
    a1 = factories.application(fair, vendor, status="accepted", days=[])
    offer(a1, factories.booth(hall, code="A-01"), [START, START + datetime.timedelta(days=1)])
    bazaar = factories.site(
        slug="bazaar",
        title_fa="بازارچه بروجرد",
        county_slug="borujerd",
        start_date=START,
        end_date=START + datetime.timedelta(days=4),
        hours=(9, 13),
    )
    a2 = factories.application(bazaar, vendor, status="accepted")
    offer(
        a2,
        factories.booth(factories.hall(bazaar, name_fa="حیاط"), code="B-07"),
        [START + datetime.timedelta(days=2)],
        status=Offer.Status.PENDING,
        expires=datetime.datetime(2027, 3, 18, 16, 0, tzinfo=UTC),
    )
    other = factories.site(slug="other", start_date=START, end_date=START)
    a3 = factories.application(other, vendor, status="accepted")
    declined = Offer.objects.create(
        application=a3,
        booth=factories.booth(factories.hall(other)),
        days=[START.isoformat()],
        status=Offer.Status.DECLINED,
        expires_at=datetime.datetime(2027, 3, 1, tzinfo=UTC),
    )
    calendar.regenerate_vendor_token(vendor)
    return {
        "vendor": vendor,
        "user": vendor_user,
        "fair": fair,
        "bazaar": bazaar,
        "a1": a1,
        "a2": a2,
        "declined": declined,
    }


def feed_url(vendor) -> str:
    return f"/calendar/vendor/{vendor.calendar_token}.ics"


def test_vendor_feed_has_confirmed_days_tentative_days_and_the_deadline(client: Client, booked):
    response = client.get(feed_url(booked["vendor"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-cache"
    body = response.content
    a1, a2 = booked["a1"].pk, booked["a2"].pk
    pending = Offer.objects.get(status="pending")
    assert read_all(body) == {
        (f"booth-{a1}-20270320@bazaarche", at(START, 14), at(START, 20), "CONFIRMED"),
        (
            f"booth-{a1}-20270321@bazaarche",
            at(START + datetime.timedelta(days=1), 14),
            at(START + datetime.timedelta(days=1), 20),
            "CONFIRMED",
        ),
        (
            f"booth-{a2}-20270322@bazaarche",
            at(START + datetime.timedelta(days=2), 9),
            at(START + datetime.timedelta(days=2), 13),
            "TENTATIVE",
        ),
        # 16:00 UTC is 19:30 in Tehran.
        (f"offer-{pending.pk}-confirm@bazaarche", at(datetime.date(2027, 3, 18), 19, 30), None, "CONFIRMED"),
        # The declined offer's day stays, called off.
        (
            f"booth-{booked['declined'].application_id}-20270320@bazaarche",
            at(START, 14),
            at(START, 20),
            "CANCELLED",
        ),
    }
    # Persian unless ?lang=en, digits too (booth codes are read aloud); links and UIDs keep theirs.
    declined = booked["declined"]
    assert props(body, "SUMMARY") == [
        "غرفهٔ A-۰۱، نمایشگاه خرم‌آباد",
        "غرفهٔ A-۰۱، نمایشگاه خرم‌آباد",
        "غرفهٔ B-۰۷، بازارچه بروجرد (در انتظار تأیید شما)",
        to_persian_digits(f"لغو شد: غرفهٔ {declined.booth.code}، {declined.application.site.title_fa}"),
        "مهلت تأیید غرفهٔ B-۰۷: بازارچه بروجرد",
    ]
    assert props(body, "DESCRIPTION")[0].startswith("غرفهٔ A-۰۱ در سالن یک\\n")
    assert props(body, "URL")[0] == f"http://testserver/me/applications/{a1}/"


def test_vendor_feed_in_english(client: Client, booked):
    body = client.get(feed_url(booked["vendor"]) + "?lang=en").content
    assert props(body, "X-WR-CALNAME") == ["Bazaarche: my booth days\\, ترشی‌سرای مریم"]
    assert props(body, "URL")[0] == f"http://testserver/en/me/applications/{booked['a1'].pk}/"


def test_a_closed_day_and_a_cancelled_site_call_booth_days_off(client: Client, booked):
    DayException.objects.create(site=booked["fair"], date=START, closed=True)
    Site.objects.filter(pk=booked["bazaar"].pk).update(status=Site.Status.CANCELLED)
    statuses = {uid: status for uid, _, _, status in read_all(client.get(feed_url(booked["vendor"])).content)}
    a1, a2 = booked["a1"].pk, booked["a2"].pk
    assert statuses[f"booth-{a1}-20270320@bazaarche"] == "CANCELLED"
    assert statuses[f"booth-{a1}-20270321@bazaarche"] == "CONFIRMED"
    assert statuses[f"booth-{a2}-20270322@bazaarche"] == "CANCELLED"


def test_confirming_and_a_new_booth_raise_sequence_with_the_same_uid(client: Client, booked):
    body = client.get(feed_url(booked["vendor"])).content
    assert props(body, "SEQUENCE")[:3] == ["1", "1", "0"]
    pending = Offer.objects.get(status="pending")
    Offer.objects.filter(pk=pending.pk).update(status=Offer.Status.CONFIRMED)
    body = client.get(feed_url(booked["vendor"])).content
    assert props(body, "SEQUENCE")[2] == "1"
    # The organiser moves the vendor to another booth: a new offer, same day, same UID, higher SEQUENCE.
    Offer.objects.filter(pk=pending.pk).update(status=Offer.Status.WITHDRAWN)
    Assignment.objects.filter(offer=pending).delete()
    offer(
        booked["a2"],
        factories.booth(factories.hall(booked["bazaar"]), code="B-09"),
        [START + datetime.timedelta(days=2)],
    )
    again = client.get(feed_url(booked["vendor"])).content
    assert props(again, "UID")[2] == props(body, "UID")[2]
    assert props(again, "SEQUENCE")[2] == "3"


def test_a_declined_offer_calls_its_days_off_under_the_same_uid_with_a_higher_sequence(
    client: Client, booked
):
    pending = Offer.objects.get(status="pending")
    uid_of_day = f"booth-{booked['a2'].pk}-20270322@bazaarche"

    def event(body):
        rows = dict(
            zip(
                props(body, "UID"),
                zip(props(body, "STATUS"), props(body, "SEQUENCE"), strict=True),
                strict=True,
            )
        )
        return rows.get(uid_of_day)

    before = client.get(feed_url(booked["vendor"])).content
    assert event(before) == ("TENTATIVE", "0")
    Offer.objects.filter(pk=pending.pk).update(status=Offer.Status.DECLINED)
    Assignment.objects.filter(offer=pending).delete()
    after = client.get(feed_url(booked["vendor"])).content
    assert event(after) == ("CANCELLED", "2")
    assert "غرفهٔ B-۰۷" in props(after, "SUMMARY")[props(after, "UID").index(uid_of_day)]
    assert f"offer-{pending.pk}-confirm@bazaarche" not in props(after, "UID")
    # A new offer for the same day takes the day back, above the called-off SEQUENCE.
    offer(
        booked["a2"],
        factories.booth(factories.hall(booked["bazaar"]), code="B-09"),
        [START + datetime.timedelta(days=2)],
    )
    again = client.get(feed_url(booked["vendor"])).content
    assert event(again) == ("CONFIRMED", "3")
    assert props(again, "UID").count(uid_of_day) == 1


def test_called_off_days_leave_the_feed_a_month_after_the_day(booked):
    vendor = booked["vendor"]
    lapsed = list(calendar.vendor_lapsed_offers(vendor))

    def uids(today):
        feed = calendar.vendor_feed(vendor, [], str, lapsed=lapsed, today=today)
        return [e.uid for e in feed.events]

    declined = f"booth-{booked['declined'].application_id}-20270320@bazaarche"
    assert uids(START + calendar.LAPSED_KEPT) == [declined]
    assert uids(START + calendar.LAPSED_KEPT + datetime.timedelta(days=1)) == []


def test_vendor_feed_needs_its_secret_and_regenerating_retires_the_old_one(client: Client, booked):
    vendor = booked["vendor"]
    assert client.get("/calendar/vendor/not-the-secret.ics").status_code == 404
    assert client.get("/calendar/vendor/.ics").status_code == 404
    old = feed_url(vendor)
    client.force_login(booked["user"])
    response = client.post(f"/calendar/secret/vendor/{vendor.pk}/", {"next": "/me/"})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    vendor.refresh_from_db()
    assert client.get(old).status_code == 404
    assert client.get(feed_url(vendor)).status_code == 200
    assert len(vendor.calendar_token) == 32


def test_only_the_vendor_may_make_a_new_secret(client: Client, booked):
    vendor = booked["vendor"]
    token = vendor.calendar_token
    url = f"/calendar/secret/vendor/{vendor.pk}/"
    assert client.post(url).status_code == 302  # to sign-in
    client.force_login(factories.user(mobile="09162222222"))
    assert client.post(url).status_code == 404
    client.force_login(factories.provincial_organiser())
    assert client.post(url).status_code == 404
    client.force_login(booked["user"])
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == "/me/"
    vendor.refresh_from_db()
    assert vendor.calendar_token != token


def test_vendor_feed_query_count_does_not_grow(client: Client, booked):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(feed_url(booked["vendor"])).status_code == 200
        return len(queries)

    few = count()
    for n in range(6):
        s = factories.site(start_date=START, end_date=START + datetime.timedelta(days=3))
        application = factories.application(s, booked["vendor"], status="accepted")
        status = Offer.Status.PENDING if n % 2 else Offer.Status.CONFIRMED
        offer(
            application,
            factories.booth(factories.hall(s)),
            [START, START + datetime.timedelta(days=1)],
            status=status,
        )
        Offer.objects.create(
            application=application,
            booth=factories.booth(factories.hall(s)),
            days=[START.isoformat()],
            status=Offer.Status.EXPIRED,
            expires_at=datetime.datetime(2027, 3, 1, tzinfo=UTC),
        )
    assert count() == few


def test_me_page_shows_the_private_address_and_the_button(client: Client, booked):
    client.force_login(booked["user"])
    page = client.get("/me/").content.decode()
    token = booked["vendor"].calendar_token
    assert f'href="webcal://testserver/calendar/vendor/{token}.ics"' in page
    assert f'value="http://testserver/calendar/vendor/{token}.ics"' in page
    assert f'action="/calendar/secret/vendor/{booked["vendor"].pk}/"' in page


def test_me_page_offers_to_make_an_address_when_there_is_none(client: Client, db):
    user = factories.user(mobile="09163333333")
    vendor = factories.vendor(user=user)
    client.force_login(user)
    page = client.get("/me/").content.decode()
    assert "webcal://" not in page
    assert f'action="/calendar/secret/vendor/{vendor.pk}/"' in page
    client.post(f"/calendar/secret/vendor/{vendor.pk}/")
    vendor.refresh_from_db()
    assert client.get(f"/calendar/vendor/{vendor.calendar_token}.ics").status_code == 200


# --- organisers ------------------------------------------------------------------------------------------


@pytest.fixture
def windows(db):
    window = {
        "applications_open": datetime.datetime(2027, 2, 1, 5, 30, tzinfo=UTC),
        "applications_close": datetime.datetime(2027, 2, 20, 20, 0, tzinfo=UTC),
    }
    khorramabad = factories.site(
        slug="k-fair", title_fa="خرم‌آباد", start_date=START, end_date=START, **window
    )
    borujerd = factories.site(
        slug="b-fair", title_fa="بروجرد", county_slug="borujerd", start_date=START, end_date=START, **window
    )
    hall = factories.hall(khorramabad)
    for n in range(3):
        application = factories.application(khorramabad, status="accepted")
        offer(
            application,
            factories.booth(hall),
            [START],
            status=Offer.Status.PENDING,
            expires=datetime.datetime(2027, 3, 1, 20, 30, n, tzinfo=UTC),
        )
    return khorramabad, borujerd


def organiser_feed(client, user):
    calendar.regenerate_user_token(user)
    return client.get(f"/calendar/organiser/{user.calendar_token}.ics")


def test_county_organiser_feed_has_only_their_county(client: Client, windows):
    khorramabad, _ = windows
    body = organiser_feed(client, factories.county_organiser("khorramabad")).content
    k = khorramabad.pk
    assert read_all(body) == {
        (f"applications-open-{k}@bazaarche", "2027-02-01T09:00:00+03:30", None, "CONFIRMED"),
        (f"applications-close-{k}@bazaarche", "2027-02-20T23:30:00+03:30", None, "CONFIRMED"),
        (f"confirm-by-{k}-20270302T0000@bazaarche", "2027-03-02T00:00:00+03:30", None, "CONFIRMED"),
    }
    assert props(body, "SUMMARY") == [
        "آغاز ثبت‌نام: خرم‌آباد",
        "پایان ثبت‌نام: خرم‌آباد",
        "پایان مهلت تأیید ۳ پیشنهاد: خرم‌آباد",
    ]
    assert props(body, "X-WR-CALNAME") == ["مهلت‌های بازارچه: خرم‌آباد"]


def test_provincial_organiser_feed_has_every_site(client: Client, windows):
    body = organiser_feed(client, factories.provincial_organiser()).content
    assert len(read_all(body)) == 5


def test_organiser_feed_needs_the_secret_and_an_organiser(client: Client, windows):
    organiser = factories.provincial_organiser()
    assert organiser_feed(client, organiser).status_code == 200
    old = f"/calendar/organiser/{organiser.calendar_token}.ics"
    client.force_login(organiser)
    assert client.post("/calendar/secret/organiser/").status_code == 302
    organiser.refresh_from_db()
    assert client.get(old).status_code == 404
    assert client.get(f"/calendar/organiser/{organiser.calendar_token}.ics").status_code == 200
    assert client.get("/calendar/organiser/guess.ics").status_code == 404
    # A vendor with a token set somehow still gets nothing: the feed is for organisers.
    vendor_user = factories.user(mobile="09164444444")
    assert organiser_feed(client, vendor_user).status_code == 404
    client.force_login(vendor_user)
    assert client.post("/calendar/secret/organiser/").status_code == 404
    organiser.is_active = False
    organiser.save()
    assert client.get(f"/calendar/organiser/{organiser.calendar_token}.ics").status_code == 404


def test_organiser_feed_query_count_does_not_grow(client: Client, windows):
    organiser = factories.provincial_organiser()
    calendar.regenerate_user_token(organiser)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/calendar/organiser/{organiser.calendar_token}.ics").status_code == 200
        return len(queries)

    few = count()
    for _ in range(5):
        s = factories.site(
            applications_open=windows[0].applications_open, applications_close=windows[0].applications_close
        )
        offer(
            factories.application(s, status="accepted"),
            factories.booth(factories.hall(s)),
            [s.start_date],
            status=Offer.Status.PENDING,
        )
    assert count() == few


def test_organiser_calendar_page(client: Client, db):
    organiser = factories.county_organiser("khorramabad")
    client.force_login(organiser)
    page = client.get("/organiser/calendar/").content.decode()
    assert 'action="/calendar/secret/organiser/"' in page
    assert "webcal://" not in page
    client.post("/calendar/secret/organiser/", {"next": "/organiser/calendar/"})
    organiser.refresh_from_db()
    page = client.get("/organiser/calendar/").content.decode()
    assert f'href="webcal://testserver/calendar/organiser/{organiser.calendar_token}.ics"' in page
    assert 'href="/organiser/calendar/"' in client.get("/organiser/").content.decode()
    client.force_login(factories.user(mobile="09165555555"))
    assert client.get("/organiser/calendar/").status_code == 403


@pytest.mark.parametrize("target", ["organiser", "12", "9223372036854775808"])
def test_new_secret_with_a_next_that_is_not_a_path_goes_to_the_own_page(client: Client, booked, target):
    client.force_login(booked["user"])
    response = client.post(f"/calendar/secret/vendor/{booked['vendor'].pk}/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
