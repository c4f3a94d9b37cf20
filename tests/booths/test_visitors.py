"""Visitors' pages of booths: the public floor plan, the vendor directory and a vendor's public page."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from booths.models import Application, Assignment, Offer
from tests import factories
from vendors.models import Category, VendorPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def place(site, booth, vendor=None, *, status=Offer.Status.CONFIRMED, day=None):
    """An accepted application's booth published as an offer (status given), assigned on one day."""
    day = day or site.start_date
    application = factories.application(
        site, vendor, days=[day.isoformat()], status=Application.Status.ACCEPTED
    )
    offer = Offer.objects.create(
        application=application,
        booth=booth,
        days=[day.isoformat()],
        status=status,
        expires_at=timezone.now() + datetime.timedelta(days=2),
    )
    return Assignment.objects.create(booth=booth, date=day, application=application, offer=offer)


def draft_placement(site, booth, vendor):
    """An allocation row the organiser has not published yet."""
    application = factories.application(site, vendor)
    return Assignment.objects.create(booth=booth, date=site.start_date, application=application)


# A business name on a directory card (in <bdi>: a Persian name keeps its order on English pages).
NAME = r"<strong><bdi>([^<]+)</bdi></strong>"


# Booth codes read with the page's digits (they are read aloud); addresses keep theirs.
def booth_list(content: str) -> list[tuple[str, str]]:
    return re.findall(
        r'<span class="booth-code" dir="ltr">([^<]+)</span> <a href="/vendors/\d+/">([^<]+)</a>', content
    )


@pytest.fixture
def fair():
    site = factories.site(slug="fair", start_date=timezone.localdate(), title_fa="بازارچه پاییز")
    hall = factories.hall(site, code="A", name_fa="سالن الف", rows=1, cols=4)
    booths = [factories.booth(hall, code=f"A-0{n}", row=1, col=n) for n in range(1, 5)]
    return site, booths


def test_plan_shows_confirmed_placements_only(client: Client, fair):
    site, booths = fair
    place(site, booths[0], factories.vendor(business_name="ترشی مهناز"))
    place(site, booths[1], factories.vendor(business_name="گلیم زهرا"), status=Offer.Status.PENDING)
    place(site, booths[2], factories.vendor(business_name="ردشده"), status=Offer.Status.DECLINED)
    draft_placement(site, booths[3], factories.vendor(business_name="پیش‌نویس"))
    content = client.get("/sites/fair/plan/").content.decode()
    assert booth_list(content) == [("A-۰۱", "ترشی مهناز")]
    # An offer still waiting for the vendor may yet be declined: the booth shows as free until then.
    assert "گلیم زهرا" not in content
    assert "ردشده" not in content
    assert "پیش‌نویس" not in content
    # Taken booths link to their vendor and are coloured; free ones are not links.
    assert content.count('<a class="plan-booth" href="/vendors/') == 1
    assert content.count('<g class="plan-booth-free">') == 3
    assert "<title>A-۰۱ · ترشی مهناز</title>" in content


def test_an_offer_waiting_for_confirmation_is_on_no_public_page(client: Client, fair):
    site, booths = fair
    crafts = Category.objects.filter(group__slug="handicrafts").first()
    vendor = factories.vendor(business_name="گلیم زهرا", category=crafts)
    place(site, booths[0], vendor, status=Offer.Status.PENDING)
    pages = {
        "plan": client.get("/sites/fair/plan/"),
        "site": client.get("/sites/fair/"),
        "directory": client.get("/vendors/"),
        "search": client.get("/vendors/", {"q": "گلیم"}),
        "vendor": client.get(f"/vendors/{vendor.pk}/"),
        "home by category": client.get("/", {"category": "handicrafts"}),
    }
    assert {name: r.status_code for name, r in pages.items()} == {
        "plan": 200,
        "site": 200,
        "directory": 200,
        "search": 200,
        "vendor": 404,
        "home by category": 200,
    }
    assert [name for name, r in pages.items() if "گلیم زهرا" in r.content.decode()] == []
    assert site.title_fa not in pages["home by category"].content.decode()

    Offer.objects.update(status=Offer.Status.CONFIRMED)
    cache.clear()
    assert booth_list(client.get("/sites/fair/plan/").content.decode()) == [("A-۰۱", "گلیم زهرا")]
    assert client.get(f"/vendors/{vendor.pk}/").status_code == 200
    assert site.title_fa in client.get("/", {"category": "handicrafts"}).content.decode()


def test_plan_of_another_day(client: Client, fair):
    site, booths = fair
    tomorrow = site.start_date + datetime.timedelta(days=1)
    place(site, booths[0], factories.vendor(business_name="امروزی"))
    place(site, booths[1], factories.vendor(business_name="فردایی"), day=tomorrow)
    content = client.get("/sites/fair/plan/", {"day": tomorrow.isoformat()}).content.decode()
    assert booth_list(content) == [("A-۰۲", "فردایی")]
    assert f'<option value="{tomorrow.isoformat()}" selected>' in content


def test_plan_of_a_closed_day_says_so_and_shows_an_open_day(client: Client, fair):
    response = client.get("/en/sites/fair/plan/", {"day": "2001-01-01"})
    assert response.status_code == 200
    assert "The site is not open on that day; showing" in response.content.decode()
    assert client.get("/en/sites/fair/plan/", {"day": "not-a-day"}).status_code == 200


def test_plan_legend_explains_booths_not_in_use_and_a_wide_hall(client: Client, fair):
    site, booths = fair
    content = client.get("/en/sites/fair/plan/").content.decode()
    assert "Not in use" not in content.split('<ul class="plan-legend"')[1]
    assert "Swipe the plan sideways" not in content
    booths[3].blocked = True
    booths[3].save()
    wide = factories.hall(site, code="W", rows=1, cols=12)
    for n in range(1, 13):
        factories.booth(wide, code=f"W-{n:02d}", row=1, col=n)
    content = client.get("/en/sites/fair/plan/").content.decode()
    legend = content.split('<ul class="plan-legend"')[1].split("</ul>")[0]
    assert '<li><span class="swatch-blocked" aria-hidden="true"></span>Not in use</li>' in legend
    assert content.count("Swipe the plan sideways") == 1  # the wide hall only


def test_plan_of_a_draft_exhibition_is_404(client: Client, db):
    factories.site(factories.exhibition(status="draft"), slug="hidden")
    assert client.get("/sites/hidden/plan/").status_code == 404


def test_plan_htmx_request_gets_only_the_day(client: Client, fair):
    content = client.get("/sites/fair/plan/", headers={"HX-Request": "true"}).content.decode()
    assert content.lstrip().startswith('<div id="day-plan" hx-target="this"')
    assert "<html" not in content


def test_plan_query_count_does_not_grow(client: Client, fair, django_assert_num_queries):
    site, booths = fair
    place(site, booths[0])
    with django_assert_num_queries(6):
        client.get("/sites/fair/plan/")
    hall = factories.hall(site, code="B", rows=2, cols=5)
    for n in range(10):
        place(site, factories.booth(hall, code=f"B-{n:02d}", row=1 + n // 5, col=1 + n % 5))
    cache.clear()
    with django_assert_num_queries(6):
        content = client.get("/sites/fair/plan/").content.decode()
    assert len(booth_list(content)) == 11


@pytest.mark.parametrize("status", [Application.Status.WITHDRAWN, Application.Status.REJECTED])
def test_a_confirmed_booth_of_an_application_no_longer_accepted_is_on_no_public_page(
    client: Client, fair, status
):
    site, booths = fair
    vendor = factories.vendor(business_name="گلیم زهرا")
    place(site, booths[0], vendor)
    Application.objects.filter(vendor=vendor).update(status=status)

    assert booth_list(client.get("/sites/fair/plan/").content.decode()) == []
    assert "گلیم زهرا" not in client.get("/sites/fair/").content.decode()
    assert "گلیم زهرا" not in client.get("/vendors/").content.decode()
    assert client.get(f"/vendors/{vendor.pk}/").status_code == 404


# --- the directory ---------------------------------------------------------------------------------


def test_directory_lists_only_vendors_with_published_placements(client: Client, fair):
    site, booths = fair
    place(site, booths[0], factories.vendor(business_name="ترشی مهناز"))
    draft_placement(site, booths[1], factories.vendor(business_name="پیش‌نویس"))
    factories.vendor(business_name="بدون غرفه")
    content = client.get("/vendors/").content.decode()
    assert re.findall(NAME, content) == ["ترشی مهناز"]


def test_directory_filters_by_category_group(client: Client, fair):
    site, booths = fair
    crafts = Category.objects.filter(group__slug="handicrafts").first()
    food = Category.objects.exclude(group__slug="handicrafts").first()
    place(site, booths[0], factories.vendor(business_name="گلیم زهرا", category=crafts))
    place(site, booths[1], factories.vendor(business_name="ترشی مهناز", category=food))
    content = client.get("/vendors/?category=handicrafts").content.decode()
    assert re.findall(NAME, content) == ["گلیم زهرا"]
    assert client.get("/vendors/?category=nowhere").status_code == 404


def test_directory_search_is_folded(client: Client, fair):
    site, booths = fair
    place(site, booths[0], factories.vendor(business_name="کارگاه خیاطی مریم"))
    place(site, booths[1], factories.vendor(business_name="گلیم زهرا"))
    # Arabic yeh and kaf, no space: still the same business.
    for query in ["خياطي", "كارگاه", "کارگاهخیاطی", "  خیاطی   مریم "]:
        content = client.get("/vendors/", {"q": query}).content.decode()
        assert re.findall(NAME, content) == ["کارگاه خیاطی مریم"], query


def test_directory_search_never_matches_private_fields(client: Client, fair):
    site, booths = fair
    vendor = factories.vendor(business_name="گلیم زهرا", mobile="09161234567", national_id="0012345679")
    place(site, booths[0], vendor)
    for query in ["09161234567", "0012345679", vendor.tracking_code, vendor.last_name]:
        content = client.get("/vendors/", {"q": query}).content.decode()
        assert re.findall(NAME, content) == [], query


def test_directory_htmx_search_gets_only_the_results(client: Client, fair):
    site, booths = fair
    place(site, booths[0], factories.vendor(business_name="گلیم زهرا"))
    content = client.get("/vendors/?q=گلیم", headers={"HX-Request": "true"}).content.decode()
    assert content.lstrip().startswith('<div id="results" hx-target="this"')


def cards(content: str) -> list[str]:
    """Each directory card as its text, tags dropped and spaces squeezed."""
    found = re.findall(r'<ul class="vendor-cards">(.*?)</ul>', content, re.S)[0]
    items = re.findall(r"<li>(.*?)</li>", found, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_directory_cards_tell_two_businesses_of_one_name_apart(client: Client, fair):
    from bazaarche.jalali import format_date, weekday_name
    from events.schedule import week_end

    site, booths = fair
    today = site.start_date
    rugs = Category.objects.get(code="1002")
    here = factories.vendor(business_name="گلیم‌بافی سمیه", category=rugs, county=factories.county("borujerd"))
    VendorPhoto.objects.create(vendor=here, image="vendors/7/jar.jpg", thumbnail="vendors/7/jar-t.jpg")
    first = place(site, booths[0], here)
    if week_end(today) > today:  # the next day too, when this week has one (it ends on Friday)
        Assignment.objects.create(
            booth=booths[0],
            date=today + datetime.timedelta(days=1),
            application=first.application,
            offer=first.offer,
        )
    later = factories.site(
        slug="later",
        title_fa="بازارچه زمستانه",
        start_date=today + datetime.timedelta(days=20),
        end_date=today + datetime.timedelta(days=21),
    )
    there = factories.vendor(business_name="گلیم‌بافی سمیه", category=rugs)
    place(later, factories.booth(factories.hall(later)), there)
    content = client.get("/vendors/").content.decode()
    days = weekday_name(today) + (
        "، " + weekday_name(today + datetime.timedelta(days=1)) if week_end(today) > today else ""
    )
    assert cards(content) == [
        f"گلیم‌بافی سمیه گلیم‌بافی · بروجرد این هفته: بازارچه پاییز، {days}",
        "گ گلیم‌بافی سمیه گلیم‌بافی · خرم‌آباد "
        f"به‌زودی: بازارچه زمستانه، {format_date(later.start_date, 'weekday')}",
    ]
    assert '<img src="/media/vendors/7/jar-t.jpg" alt="" width="96" height="96" loading="lazy">' in content


def test_whereabouts_shortens_runs_of_days():
    from booths.public import Whereabouts

    saturday = datetime.date(2026, 12, 5)
    week = [saturday + datetime.timedelta(days=n) for n in (0, 1, 2, 4, 5)]
    assert Whereabouts(None, week, True).days_text == "شنبه تا دوشنبه، چهارشنبه، پنجشنبه"


def test_directory_query_count_does_not_grow(client: Client, fair, django_assert_num_queries):
    site, booths = fair
    place(site, booths[0])
    # The vendors, their photos, where they are this week, and the category groups.
    with django_assert_num_queries(4):
        client.get("/vendors/")
    hall = factories.hall(site, code="B")
    later = factories.site(
        start_date=site.start_date + datetime.timedelta(days=20),
        end_date=site.end_date + datetime.timedelta(days=20),
    )
    for n in range(34):  # more than a page, some here this week and some later, with photos
        vendor = factories.vendor(county=factories.county("borujerd" if n % 2 else "dorud"))
        VendorPhoto.objects.create(
            vendor=vendor, image=f"vendors/{vendor.pk}/a.jpg", thumbnail=f"vendors/{vendor.pk}/t.jpg"
        )
        if n % 3:
            place(site, factories.booth(hall, code=f"B-{n}"), vendor)
        else:
            place(later, factories.booth(factories.hall(later)), vendor, day=later.start_date)
    cache.clear()
    with django_assert_num_queries(4):
        content = client.get("/vendors/").content.decode()
    assert len(re.findall(NAME, content)) == 30
    assert content.count('class="vendor-where"') == 30


# --- a vendor's page -------------------------------------------------------------------------------


def test_vendor_page_shows_photos_and_where_and_when_but_nothing_private(client: Client, fair):
    site, booths = fair
    vendor = factories.vendor(
        business_name="گلیم زهرا",
        description="گلیم و جاجیم دستباف",
        mobile="09161234567",
        national_id="0012345679",
        address="خیابان شریعتی، کوچه ۱۲",
        postal_code="6813733111",
        birth_date=datetime.date(1980, 3, 21),
        first_name="زهرا",
        last_name="کاکاوند",
    )
    VendorPhoto.objects.create(
        vendor=vendor, image="vendors/1/rug.jpg", thumbnail="vendors/1/rug-t.jpg", caption="گلیم"
    )
    place(site, booths[2], vendor)
    response = client.get(f"/vendors/{vendor.pk}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1><bdi>گلیم زهرا</bdi></h1>" in content
    assert "گلیم و جاجیم دستباف" in content
    assert '<img src="/media/vendors/1/rug-t.jpg" alt="گلیم" loading="lazy">' in content
    assert (
        f'<a class="booth-code" dir="ltr" href="/sites/fair/plan/?day={site.start_date.isoformat()}">A-۰۳</a>'
        in content
    )
    assert '<meta property="og:image" content="http://testserver/media/vendors/1/rug.jpg">' in content
    for private in [
        "09161234567",
        "۰۹۱۶۱۲۳۴۵۶۷",
        "0012345679",
        "شریعتی",
        "6813733111",
        "۶۸۱۳۷۳۳۱۱۱",
        "کاکاوند",
        "1980",
        "۱۳۵۹",
    ]:
        assert private not in content, private


def test_vendor_page_reads_in_its_own_direction_and_marks_today(client: Client, fair):
    site, booths = fair
    vendor = factories.vendor(business_name="گلیم زهرا", description="گلیم دستباف؛ رنگ گیاهی.")
    place(site, booths[0], vendor)
    content = client.get(f"/en/vendors/{vendor.pk}/").content.decode()
    # A Persian name and description on an English page still run right to left.
    assert "<h1><bdi>گلیم زهرا</bdi></h1>" in content
    assert '<div class="prose" dir="auto"><p>گلیم دستباف؛ رنگ گیاهی.</p></div>' in content
    assert "Handicrafts</a> · " in content and " · Khorramabad</p>" in content
    assert '<li class="today">' in content and ", today</li>" in content


def test_vendor_without_published_placement_has_no_public_page(client: Client, fair):
    site, booths = fair
    vendor = factories.vendor()
    assert client.get(f"/vendors/{vendor.pk}/").status_code == 404
    draft_placement(site, booths[0], vendor)
    assert client.get(f"/vendors/{vendor.pk}/").status_code == 404
    place(site, booths[1], factories.vendor(), status=Offer.Status.WITHDRAWN)
    Offer.objects.filter(status=Offer.Status.WITHDRAWN).update(application=vendor.applications.get())
    cache.clear()
    assert client.get(f"/vendors/{vendor.pk}/").status_code == 404


def test_vendor_page_query_count_does_not_grow(client: Client, fair, django_assert_num_queries):
    site, booths = fair
    vendor = factories.vendor()
    place(site, booths[0], vendor)
    with django_assert_num_queries(3):
        client.get(f"/vendors/{vendor.pk}/")
    other = factories.site(slug="other", start_date=site.start_date + datetime.timedelta(days=1))
    hall = factories.hall(other)
    application = factories.application(other, vendor, status=Application.Status.ACCEPTED)
    days = [other.start_date, other.start_date + datetime.timedelta(days=1)]
    offer = Offer.objects.create(
        application=application,
        booth=factories.booth(hall, code="X-1"),
        days=[d.isoformat() for d in days],
        status=Offer.Status.CONFIRMED,
        expires_at=timezone.now(),
    )
    for day in days:
        Assignment.objects.create(booth=offer.booth, date=day, application=application, offer=offer)
    for n in range(3):
        VendorPhoto.objects.create(vendor=vendor, image=f"vendors/x/{n}.jpg")
    cache.clear()
    with django_assert_num_queries(3):
        content = client.get(f"/vendors/{vendor.pk}/").content.decode()
    assert content.count('class="appearance"') == 2


def test_a_new_offer_shows_in_the_cached_directory(client: Client, fair):
    site, booths = fair
    place(site, booths[0], factories.vendor(business_name="اولی"))
    assert re.findall(NAME, client.get("/vendors/").content.decode()) == ["اولی"]
    place(site, booths[1], factories.vendor(business_name="دومی"))
    assert re.findall(NAME, client.get("/vendors/").content.decode()) == [
        "اولی",
        "دومی",
    ]
