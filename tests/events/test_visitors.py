"""Visitors' pages of events: what is on (by day, county, category), map links, sharing tags, the page cache."""

import datetime
import gzip
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from booths.models import Application, Assignment, Offer
from events.models import DayException, OpeningHours, Site
from events.public_cache import public_version
from events.schedule import Standing, standing, week_end
from tests import factories
from vendors.models import Category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def section_titles(content: str) -> dict[str, list[str]]:
    """Site titles under each label heading of the home page, in order."""
    found: dict[str, list[str]] = {}
    label = None
    for match in re.finditer(
        r'<h2 class="label"[^>]*>([^<]+)</h2>|<strong class="card-title">([^<]+)</strong>', content
    ):
        if match.group(1):
            label = match.group(1)
            found.setdefault(label, [])
        else:
            found[label].append(match.group(2))
    return found


def place(site, booth=None, *, vendor=None, status=Offer.Status.CONFIRMED, day=None):
    """A published placement: an accepted application's offer and its assignment on one day."""
    booth = booth or factories.booth(factories.hall(site))
    application = factories.application(site, vendor, status=Application.Status.ACCEPTED)
    offer = Offer.objects.create(
        application=application,
        booth=booth,
        days=[(day or site.start_date).isoformat()],
        status=status,
        expires_at=timezone.now() + datetime.timedelta(days=2),
    )
    return Assignment.objects.create(
        booth=booth, date=day or site.start_date, application=application, offer=offer
    )


@pytest.fixture
def midday(settings):
    """The local time is just past noon whenever the test runs: a time zone chosen for it."""
    offset = 12 - datetime.datetime.now(datetime.UTC).hour
    # The Etc zones count the other way: Etc/GMT-3 is three hours ahead of UTC.
    settings.TIME_ZONE = f"Etc/GMT{-offset:+d}" if offset else "UTC"
    assert timezone.localtime().hour in (12, 13)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=datetime.UTC)


def test_week_end_is_the_coming_friday():
    saturday = datetime.date(2026, 12, 5)
    assert [week_end(saturday + datetime.timedelta(days=n)) for n in range(8)] == [
        datetime.date(2026, 12, 11)
    ] * 7 + [datetime.date(2026, 12, 18)]


def test_standing_open_now_later_today_this_week_later_or_over():
    monday = datetime.date(2026, 12, 7)
    days_open = [
        (monday + datetime.timedelta(days=n), datetime.time(16), datetime.time(21)) for n in (0, 3, 5)
    ]
    assert standing(days_open, at(monday, 9)) == Standing(
        "today", monday, datetime.time(16), datetime.time(21)
    )
    assert standing(days_open, at(monday, 16)).when == "now"
    assert standing(days_open, at(monday, 20, 59)).when == "now"
    # Over for today: it goes by its next open day, Thursday, still this week (Saturday-first).
    assert standing(days_open, at(monday, 21)) == Standing(
        "week", monday + datetime.timedelta(days=3), datetime.time(16), datetime.time(21)
    )
    # On Friday the week ends: Saturday is next week.
    friday = monday + datetime.timedelta(days=4)
    assert standing(days_open, at(friday, 12)).when == "later"
    assert standing(days_open, at(friday + datetime.timedelta(days=1), 21)) is None
    # Without hours a site is open all of its days, at times nobody set.
    assert standing([(monday, None, None)], at(monday, 23)) == Standing("today", monday)


def test_home_lists_open_now_then_today_then_this_week_then_later(client: Client, midday):
    exhibition = factories.exhibition()
    last_of_week = week_end(days(0))
    # By county name (as it was) the site of next month, in Aligudarz, came first.
    factories.site(
        exhibition, "aligudarz", title_en="Aligudarz next month", start_date=days(30), end_date=days(31)
    )
    factories.site(exhibition, "khorramabad", title_en="Khorramabad at four", hours=(16, 20))
    factories.site(exhibition, "borujerd", title_en="Borujerd at four", hours=(16, 20))
    factories.site(exhibition, "dorud", title_en="Dorud at three", hours=(15, 20))
    factories.site(exhibition, "khorramabad", title_en="Khorramabad open since eleven", hours=(11, 15))
    factories.site(exhibition, "kuhdasht", title_en="Kuhdasht open since ten", hours=(10, 15))
    factories.site(exhibition, "azna", title_en="Azna closed at ten", hours=(8, 10), end_date=days(0))
    if last_of_week > days(0):
        factories.site(
            exhibition, "azna", title_en="Azna this week", start_date=last_of_week, end_date=days(7)
        )
    expected = {
        "Open now": ["Kuhdasht open since ten", "Khorramabad open since eleven"],
        "Open today": ["Dorud at three", "Borujerd at four", "Khorramabad at four"],
        "This week": ["Azna this week"],
        "Later": ["Aligudarz next month"],
    }
    if last_of_week == days(0):  # a Friday: the week ends today
        del expected["This week"]
    content = client.get("/en/").content.decode()
    assert section_titles(content) == expected
    assert content.count("Open now, until 15:00") == 2
    assert "Opens today at 15:00" in content


def test_home_this_week_includes_today(client: Client, midday):
    exhibition = factories.exhibition()
    factories.site(exhibition, title_en="Open now", hours=(10, 15))
    factories.site(exhibition, title_en="Opens at four", hours=(16, 20))
    factories.site(exhibition, title_en="Next month", start_date=days(30), end_date=days(31))
    content = client.get("/en/?when=week").content.decode()
    assert section_titles(content) == {"Open now": ["Open now"], "Open today": ["Opens at four"]}
    content = client.get("/en/?when=today").content.decode()
    assert section_titles(content) == {"Open now": ["Open now"], "Open today": ["Opens at four"]}
    content = client.get("/en/?when=later").content.decode()
    assert section_titles(content) == {"Later": ["Next month"]}


@pytest.fixture
def three_sites(midday):
    exhibition = factories.exhibition()
    return {
        "today": factories.site(exhibition, title_en="Open today", start_date=days(-1), end_date=days(3)),
        "week": factories.site(exhibition, title_en="In three days", start_date=days(3), end_date=days(5)),
        "later": factories.site(exhibition, title_en="Next month", start_date=days(30), end_date=days(32)),
    }


def coming(n: int) -> str:
    """The heading of a site whose next open day is n days from today: this week ends on Friday."""
    return "This week" if days(n) <= week_end(days(0)) else "Later"


def test_home_weekly_bazaar_closed_today_goes_by_its_next_open_day(client: Client, db):
    site = factories.site(title_en="Weekly", hours=None, start_date=days(-10), end_date=days(30))
    OpeningHours.objects.create(
        site=site, weekday=days(1).weekday(), opens=datetime.time(16), closes=datetime.time(21)
    )
    content = client.get("/en/").content.decode()
    assert section_titles(content) == {coming(1): ["Weekly"]}


def test_home_when_filter_keeps_its_groups(client: Client, three_sites):
    week = {"Open today": ["Open today"]} | ({"This week": ["In three days"]} if coming(3) != "Later" else {})
    content = client.get("/en/?when=week").content.decode()
    assert section_titles(content) == week
    later = (["In three days"] if coming(3) == "Later" else []) + ["Next month"]
    content = client.get("/en/?when=later").content.decode()
    assert section_titles(content) == {"Later": later}


def test_home_jalali_date_filter_shows_sites_open_that_day(client: Client, three_sites):
    DayException.objects.create(site=three_sites["week"], date=days(4), closed=True)
    from bazaarche.jalali import to_jalali_string
    from bazaarche.text import to_persian_digits

    day = to_persian_digits(to_jalali_string(days(4)))
    content = client.get("/en/", {"date": day}).content.decode()
    assert section_titles(content) == {}
    content = client.get("/en/", {"date": to_jalali_string(days(5))}).content.decode()
    assert section_titles(content) == {"Open that day": ["In three days"]}


def test_home_unreadable_date_is_a_message_not_an_error(client: Client, three_sites):
    from bazaarche.jalali import to_jalali_string
    from bazaarche.text import to_persian_digits

    response = client.get("/en/?date=1404/13/40")
    assert response.status_code == 200
    assert (
        '<p id="day-error" class="error" role="alert">«1404/13/40» is not a date we can read. '
        f"Write a date such as {days(0).isoformat()}.</p>"
    ) in response.content.decode()
    assert section_titles(response.content.decode())["Open today"] == ["Open today"]
    content = client.get("/?date=1404/13/40").content.decode()
    example = to_persian_digits(to_jalali_string(days(0)))
    assert (
        '<p id="day-error" class="error" role="alert">«1404/13/40» تاریخی نیست که بتوانیم بخوانیم. '
        f"تاریخ شمسی را مثل {example} بنویسید.</p>"
    ) in content


def test_home_date_filter_in_english_is_gregorian(client: Client, three_sites):
    from bazaarche.jalali import to_jalali_string

    content = client.get("/en/").content.decode()
    assert '<label for="day-filter">On a day</label>' in content
    assert f'value="" inputmode="numeric" placeholder="{days(0).isoformat()}"' in content
    content = client.get("/en/", {"date": days(5).isoformat()}).content.decode()
    assert section_titles(content) == {"Open that day": ["In three days"]}
    assert f'<input id="day-filter" name="date" value="{days(5).isoformat()}"' in content
    assert 'href="/en/?when=week"' in content
    # A Jalali date (from a Persian link) reads too, and is shown as a Gregorian one.
    content = client.get("/en/", {"date": to_jalali_string(days(5))}).content.decode()
    assert f'<input id="day-filter" name="date" value="{days(5).isoformat()}"' in content
    assert f'href="/en/?county=khorramabad&amp;date={days(5).isoformat()}"' in content
    # And in Persian a Jalali date is shown, whichever was typed.
    content = client.get("/", {"date": days(5).isoformat()}).content.decode()
    jalali = to_jalali_string(days(5)).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f'<input id="day-filter" name="date" value="{jalali}"' in content
    assert '<label for="day-filter">در روز (شمسی)</label>' in content


def test_home_unknown_county_or_category_is_404(client: Client, three_sites):
    assert client.get("/?county=atlantis").status_code == 404
    assert client.get("/?category=atlantis").status_code == 404


def test_home_county_filter_and_links_keep_the_other_filters(client: Client, midday):
    exhibition = factories.exhibition()
    factories.site(exhibition, county_slug="borujerd", title_en="Borujerd fair")
    factories.site(exhibition, county_slug="khorramabad", title_en="Khorramabad fair")
    content = client.get("/en/?county=borujerd&when=week").content.decode()
    assert section_titles(content) == {"Open today": ["Borujerd fair"]}
    # Every chip is a plain link to a shareable address with the other filters kept.
    assert 'href="/en/?county=khorramabad&amp;when=week"' in content
    assert 'href="/en/?county=borujerd&amp;when=later"' in content
    assert 'href="/en/?county=borujerd&amp;category=handicrafts&amp;when=week"' in content


def test_home_category_filter_shows_sites_where_that_group_exhibits(client: Client, db):
    exhibition = factories.exhibition()
    crafts = factories.site(exhibition, title_en="Crafts fair", start_date=days(30), end_date=days(31))
    factories.site(exhibition, title_en="Food fair", start_date=days(30), end_date=days(31))
    handicraft = Category.objects.filter(group__slug="handicrafts").first()
    place(crafts, vendor=factories.vendor(category=handicraft))
    content = client.get("/en/?category=handicrafts").content.decode()
    assert section_titles(content) == {"Later": ["Crafts fair"]}


def test_home_htmx_request_gets_only_the_results(client: Client, three_sites):
    response = client.get("/en/?when=later", headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="whats-on" class="whats-on" hx-target="this"')
    assert "<html" not in content
    assert section_titles(content) == {"Later": ["Next month"]}
    assert "HX-Request" in response["Vary"]
    # The same address without htmx is the whole page, and is cached apart.
    assert "<html" in client.get("/en/?when=later").content.decode()


def test_site_page_links_maps_and_the_floor_plan(client: Client, db):
    venue = factories.venue(latitude="33.487600", longitude="48.355800")
    site = factories.site(venue=venue, slug="fair")
    content = client.get("/sites/fair/").content.decode()
    assert 'href="https://neshan.org/maps/@33.487600,48.355800,16z"' in content
    assert (
        'href="https://www.openstreetmap.org/?mlat=33.487600&amp;mlon=48.355800#map=17/33.487600/48.355800"'
        in content
    )
    assert 'href="geo:33.487600,48.355800"' in content
    assert f'href="/sites/{site.slug}/plan/"' in content


def test_site_page_says_a_site_opens_today_and_names_its_posters_in_words(client: Client, midday):
    exhibition = factories.exhibition(slug="autumn")
    factories.site(exhibition, slug="fair", hours=(16, 20))
    content = client.get("/sites/fair/").content.decode()
    assert '<p class="badge">امروز از ساعت ۱۶:۰۰ باز است</p>' in content
    # No English words in the Persian page: the poster's formats are named in Persian.
    assert (
        'پوستر چاپی با کد QR: <a href="/sites/fair/poster.pdf">نسخهٔ چاپی</a> · '
        '<a href="/sites/fair/poster.png">تصویر</a>'
    ) in content
    content = client.get("/exhibitions/autumn/").content.decode()
    assert '<a href="/exhibitions/autumn/poster.pdf">نسخهٔ چاپی</a>' in content
    # Its cards name each site's county rather than repeating the exhibition.
    assert '<span class="card-kicker"><span class="card-county">خرم‌آباد</span></span>' in content


def test_site_page_without_coordinates_has_no_map_links(client: Client, db):
    factories.site(slug="fair")
    assert "openstreetmap" not in client.get("/sites/fair/").content.decode()


def test_site_page_lists_who_is_there_today(client: Client, db):
    site = factories.site(slug="fair", start_date=days(0))
    booth = factories.booth(factories.hall(site), code="A-07")
    place(site, booth, vendor=factories.vendor(business_name="ترشی مهناز"))
    draft = factories.booth(booth.hall, code="A-08")
    Assignment.objects.create(
        booth=draft,
        date=site.start_date,
        application=factories.application(site, factories.vendor(business_name="پیش‌نویس")),
    )
    content = client.get("/sites/fair/").content.decode()
    assert '<span class="booth-code" dir="ltr">A-۰۷</span> <a href="/vendors/' in content
    assert "ترشی مهناز" in content
    assert "پیش‌نویس" not in content


def test_site_page_before_the_booths_are_published_counts_nobody(client: Client, db):
    factories.site(slug="fair", start_date=days(0))
    content = client.get("/sites/fair/").content.decode()
    assert "۰ غرفه‌دار" not in content
    assert '<p class="empty">امروز: غرفه‌های این روز هنوز اعلام نشده است.</p>' in content


def test_public_pages_carry_open_graph_tags(client: Client, db):
    exhibition = factories.exhibition(slug="autumn", title_fa="نمایشگاه پاییزه", poster="posters/autumn.jpg")
    factories.site(exhibition, slug="fair", title_fa="بازارچه پاییز")
    content = client.get("/sites/fair/").content.decode()
    assert '<meta property="og:title" content="بازارچه پاییز">' in content
    assert '<meta property="og:url" content="http://testserver/sites/fair/">' in content
    assert '<meta property="og:image" content="http://testserver/media/posters/autumn.jpg">' in content
    assert '<meta property="og:locale" content="fa_IR">' in content
    assert '<meta name="twitter:card" content="summary_large_image">' in content
    content = client.get("/en/exhibitions/autumn/").content.decode()
    assert '<meta property="og:locale" content="en_US">' in content
    home = client.get("/").content.decode()
    assert '<meta property="og:url" content="http://testserver/">' in home
    assert '<meta name="twitter:card" content="summary">' in home


# --- speed: constant queries and the page cache ---------------------------------------------------


def test_site_page_query_count_does_not_grow_with_vendors(client: Client, db, django_assert_num_queries):
    site = factories.site(slug="fair")
    hall = factories.hall(site)
    place(site, factories.booth(hall))
    with django_assert_num_queries(5):
        client.get("/sites/fair/")
    for _ in range(6):
        place(site, factories.booth(hall))
    cache.clear()
    with django_assert_num_queries(5):
        response = client.get("/sites/fair/")
    assert response.content.decode().count('<span class="booth-code" dir="ltr">') == 7


def test_home_with_filters_query_count_does_not_grow(client: Client, midday, django_assert_num_queries):
    exhibition = factories.exhibition()
    handicraft = Category.objects.filter(group__slug="handicrafts").first()

    def crafts_site():
        site = factories.site(exhibition, county_slug="borujerd")
        place(site, vendor=factories.vendor(category=handicraft))

    crafts_site()
    url = "/?county=borujerd&category=handicrafts&when=today"
    with django_assert_num_queries(7):
        assert len(section_titles(client.get(url).content.decode())["امروز باز است"]) == 1
    for _ in range(4):
        crafts_site()
    with django_assert_num_queries(7):
        assert len(section_titles(client.get(url).content.decode())["امروز باز است"]) == 5


# The page cache is used only for committed data: a test inside a transaction bypasses it, so the
# tests below commit (transactional database, reference data loaded again).


@pytest.fixture
def committed_sites(reference_data):
    exhibition = factories.exhibition()
    return {
        "today": factories.site(exhibition, title_en="Open today", start_date=days(-1), end_date=days(3)),
        "later": factories.site(exhibition, title_en="Next month", start_date=days(30), end_date=days(32)),
    }


def test_second_visit_is_served_from_the_cache(committed_sites, django_assert_num_queries):
    client = Client()
    url = f"/sites/{committed_sites['today'].slug}/"
    for address in ["/", url, "/en/?when=later"]:
        first = client.get(address)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            second = client.get(address)
        assert second.content == first.content
        for header in ["ETag", "Content-Language", "Vary", "X-Frame-Options", "Cache-Control"]:
            assert second[header] == first[header], header
        # The policy is the same, less a nonce that every visitor of the cached page would know.
        assert second["Content-Security-Policy"] == re.sub(
            r" 'nonce-[^']*'", "", first["Content-Security-Policy"]
        )
        assert "nonce" not in second["Content-Security-Policy"]


def test_a_cached_page_travels_compressed_as_it_was_stored(committed_sites, django_assert_num_queries):
    """A phone's browser takes gzip: the cached page is compressed once, when stored, not at each visit."""
    client = Client(headers={"Accept-Encoding": "gzip, deflate, br"})
    first = client.get("/")
    assert first["Content-Encoding"] == "gzip"
    with django_assert_num_queries(0), mock.patch("django.middleware.gzip.compress_string") as compress:
        second = client.get("/")
    compress.assert_not_called()
    assert second["Content-Encoding"] == "gzip"
    assert int(second["Content-Length"]) == len(second.content)
    assert "Accept-Encoding" in second["Vary"]
    assert second["ETag"].startswith('W/"')
    # Django pads each compressed answer at random (BREACH); the stored one is the same page unpadded.
    assert gzip.decompress(second.content) == gzip.decompress(first.content)
    plain = Client().get("/")  # and a client that takes no gzip gets it unpacked
    assert "Content-Encoding" not in plain
    assert plain.content == gzip.decompress(first.content)


def test_a_visitor_with_a_session_is_served_from_the_cache_too(
    committed_sites, django_assert_max_num_queries
):
    client = Client()
    client.cookies["sessionid"] = "not-a-real-session"
    assert client.get("/").status_code == 200
    with django_assert_max_num_queries(1):  # the session lookup
        assert client.get("/").status_code == 200


def test_an_edit_shows_at_once(committed_sites):
    client = Client()
    site = committed_sites["today"]
    assert "Open today" in client.get(f"/en/sites/{site.slug}/").content.decode()
    version = public_version()
    site.title_en = "Renamed fair"
    site.save()
    assert public_version() != version
    assert "Renamed fair" in client.get(f"/en/sites/{site.slug}/").content.decode()
    assert "Renamed fair" in client.get("/en/").content.decode()


def test_bulk_writes_change_the_version_too(committed_sites):
    client = Client()
    site = committed_sites["today"]
    assert "Open today" in client.get("/en/").content.decode()
    Site.objects.filter(pk=site.pk).update(title_en="Updated in bulk")
    assert "Updated in bulk" in client.get("/en/").content.decode()
    OpeningHours.objects.filter(site=site).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(site=site, weekday=d, opens=datetime.time(9), closes=datetime.time(10)) for d in range(7)
    )
    assert "۰۹:۰۰ – ۱۰:۰۰" in client.get(f"/sites/{site.slug}/").content.decode()


def test_writes_elsewhere_keep_the_version(committed_sites):
    version = public_version()
    factories.user()
    assert public_version() == version


def test_a_write_bumps_the_version_when_it_commits(committed_sites):
    from django.db import transaction

    version = public_version()
    with transaction.atomic():
        Site.objects.filter(pk=committed_sites["today"].pk).update(title_en="In a transaction")
        assert public_version() == version
    assert public_version() != version


def test_unpublishing_hides_the_cached_page(committed_sites):
    client = Client()
    site = committed_sites["today"]
    assert client.get(f"/sites/{site.slug}/").status_code == 200
    site.exhibition.status = "draft"
    site.exhibition.save()
    assert client.get(f"/sites/{site.slug}/").status_code == 404


def test_matching_etag_gets_304(committed_sites):
    client = Client()
    url = f"/sites/{committed_sites['today'].slug}/"
    response = client.get(url)
    etag = response["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert response["Cache-Control"] == "max-age=0, must-revalidate"
    for _ in range(2):  # rendered, then from the cache
        not_modified = client.get(url, headers={"If-None-Match": etag})
        assert not_modified.status_code == 304
        assert not_modified.content == b""
        assert not_modified["ETag"] == etag
    # Another language, another address or changed data: another ETag.
    assert client.get("/en" + url)["ETag"] != etag
    assert client.get("/")["ETag"] != etag
    committed_sites["today"].save()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_signed_in_organiser_is_never_served_a_cached_page(committed_sites):
    draft = factories.site(factories.exhibition(status="draft"), slug="draft-fair")
    client = Client()
    assert client.get(f"/sites/{draft.slug}/").status_code == 404
    client.get(f"/sites/{committed_sites['today'].slug}/")  # cached for visitors
    client.force_login(factories.county_organiser("khorramabad"))
    response = client.get(f"/sites/{draft.slug}/")
    assert response.status_code == 200
    assert "ETag" not in response
    assert "Not published" in client.get(f"/en/sites/{draft.slug}/").content.decode()
    assert client.get(f"/sites/{draft.slug}/", headers={"If-None-Match": "*"}).status_code == 200
    assert Client().get(f"/sites/{draft.slug}/").status_code == 404


def test_a_visitor_with_a_flash_message_gets_a_fresh_page(committed_sites):
    client = Client()
    client.get("/")
    client.cookies["messages"] = "something"
    response = client.get("/")
    assert "ETag" not in response
