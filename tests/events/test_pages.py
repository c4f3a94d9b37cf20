"""Public pages: Persian shell, Jalali dates, only published things, constant query counts."""

import datetime
import re

import pytest
from django.test import Client

from events.models import DayException
from tests import factories

# 1406/01/01 (Nowruz) is 2027-03-21.
NOWRUZ_1406 = datetime.date(2027, 3, 21)


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


@pytest.fixture
def nowruz_site(db):
    exhibition = factories.exhibition(title_fa="نمایشگاه نوروزی", title_en="Nowruz fair", slug="nowruz-1406")
    return factories.site(
        exhibition,
        slug="khorramabad-nowruz",
        title_fa="خرم‌آباد — نمایشگاه نوروزی",
        title_en="Khorramabad Nowruz fair",
        start_date=NOWRUZ_1406,
        end_date=NOWRUZ_1406 + datetime.timedelta(days=5),
    )


def test_home_is_persian_rtl_with_jalali_dates_in_persian_digits(client: Client, nowruz_site):
    response = client.get("/")
    assert response.status_code == 200
    assert html_tag(response) == '<html lang="fa" dir="rtl">'
    assert "۱ تا ۶ فروردین ۱۴۰۶" in response.content.decode()
    assert "خرم‌آباد — نمایشگاه نوروزی" in response.content.decode()


def test_home_in_english_is_ltr_with_gregorian_dates(client: Client, nowruz_site):
    response = client.get("/en/")
    assert html_tag(response) == '<html lang="en" dir="ltr">'
    assert "Khorramabad Nowruz fair" in response.content.decode()
    assert "21–26 March 2027" in response.content.decode()


def test_language_switch_link_keeps_the_page(client: Client, nowruz_site):
    response = client.get("/sites/khorramabad-nowruz/")
    assert '<a class="lang" href="/en/sites/khorramabad-nowruz/" hreflang="en" lang="en">English</a>' in (
        response.content.decode()
    )
    response = client.get("/en/sites/khorramabad-nowruz/")
    assert '<a class="lang" href="/sites/khorramabad-nowruz/" hreflang="fa" lang="fa">فارسی</a>' in (
        response.content.decode()
    )


def test_home_hides_draft_exhibitions_and_ended_sites(client: Client, nowruz_site):
    draft = factories.exhibition(status="draft")
    factories.site(draft, title_fa="پیش‌نویس پنهان")
    today = datetime.date.today()
    factories.site(
        title_fa="تمام‌شده",
        start_date=today - datetime.timedelta(days=9),
        end_date=today - datetime.timedelta(days=2),
    )
    content = client.get("/").content.decode()
    assert "پیش‌نویس پنهان" not in content
    assert "تمام‌شده" not in content


def test_site_page_of_draft_exhibition_is_404_for_visitors_and_shown_to_its_organiser(client: Client, db):
    site = factories.site(factories.exhibition(status="draft"), county_slug="khorramabad")
    assert client.get(f"/sites/{site.slug}/").status_code == 404
    client.force_login(factories.county_organiser("khorramabad"))
    assert client.get(f"/sites/{site.slug}/").status_code == 200
    client.force_login(factories.county_organiser("borujerd"))
    assert client.get(f"/sites/{site.slug}/").status_code == 404


def test_site_page_shows_hours_and_closures_in_persian(client: Client, nowruz_site):
    DayException.objects.create(
        site=nowruz_site, date=NOWRUZ_1406 + datetime.timedelta(days=1), reason_fa="تعطیل رسمی"
    )
    content = client.get("/sites/khorramabad-nowruz/").content.decode()
    assert '<th scope="row">هر روز</th><td>۱۴:۰۰ – ۲۰:۰۰</td>' in content
    assert "تعطیل رسمی" in content
    assert "در مجموع ۵ روز باز است." in content


def test_unknown_site_is_404(client: Client, db):
    assert client.get("/sites/nowhere/").status_code == 404


def test_home_query_count_does_not_grow_with_sites(client: Client, db, django_assert_num_queries):
    exhibition = factories.exhibition()
    factories.site(exhibition, county_slug="khorramabad")
    with django_assert_num_queries(5):
        client.get("/")
    for county in ["borujerd", "dorud", "azna", "khorramabad"]:
        factories.site(exhibition, county_slug=county)
    with django_assert_num_queries(5):
        client.get("/")


def test_exhibition_page_query_count_does_not_grow_with_sites(client: Client, db, django_assert_num_queries):
    exhibition = factories.exhibition()
    factories.site(exhibition)
    with django_assert_num_queries(3):
        client.get(f"/exhibitions/{exhibition.slug}/")
    for county in ["borujerd", "dorud", "azna"]:
        factories.site(exhibition, county_slug=county)
    with django_assert_num_queries(3):
        client.get(f"/exhibitions/{exhibition.slug}/")


def test_site_page_query_count_does_not_grow_with_exceptions(
    client: Client, nowruz_site, django_assert_num_queries
):
    with django_assert_num_queries(5):
        client.get("/sites/khorramabad-nowruz/")
    for offset in range(4):
        DayException.objects.create(site=nowruz_site, date=NOWRUZ_1406 + datetime.timedelta(days=offset))
    with django_assert_num_queries(5):
        client.get("/sites/khorramabad-nowruz/")


def test_weekly_bazaar_card_says_which_weekday(client: Client, db):
    friday = 4
    # Two weeks always hold a Friday, whatever today is.
    site = factories.site(
        title_fa="بازارچه جمعه", hours=None, end_date=datetime.date.today() + datetime.timedelta(days=13)
    )
    site.hours.create(weekday=friday, opens=datetime.time(16), closes=datetime.time(21))
    content = client.get("/").content.decode()
    # A comma, not "·": beside a Persian digit a dot reads as a zero.
    assert "هر جمعه، " in content
    assert "هر جمعه، " in client.get(f"/sites/{site.slug}/").content.decode()


def test_exhibition_title_digits_follow_the_page_language(client: Client, db):
    exhibition = factories.exhibition(title_fa="نمایشگاه بهاره 1405", title_en="")
    factories.site(exhibition, title_fa="بازارچه ۱۲")  # stored before normalisation: Persian digits
    fa = client.get(f"/exhibitions/{exhibition.slug}/").content.decode()
    en = client.get(f"/en/exhibitions/{exhibition.slug}/").content.decode()
    assert re.findall(r"<h1>(.*?)</h1>", fa) == ["نمایشگاه بهاره ۱۴۰۵"]
    assert re.findall(r"<h1>(.*?)</h1>", en) == ["نمایشگاه بهاره 1405"]
    assert ("بازارچه ۱۲" in fa, "بازارچه 12" in fa) == (True, False)
    assert ("بازارچه 12" in en, "بازارچه ۱۲" in en) == (True, False)
