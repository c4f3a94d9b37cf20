"""Signed-in landing pages and sign-in."""

import datetime
import re

import pytest
from django.test import Client

from booths.models import Application, ApplicationChange
from tests import factories


def test_signin_accepts_a_mobile_number_in_persian_digits(client: Client, db):
    factories.user(username="09161234567", mobile="09161234567", password="demo-pass-987")
    response = client.post("/signin/password/", {"username": "۰۹۱۶ ۱۲۳ ۴۵۶۷", "password": "demo-pass-987"})
    assert response.status_code == 302
    assert response["Location"] == "/me/"


def test_signin_wrong_password_says_so_in_persian(client: Client, db):
    factories.user(username="province", password="demo-pass-987")
    response = client.post("/signin/password/", {"username": "province", "password": "wrong"})
    assert response.status_code == 200
    assert (
        "نام کاربری (یا شماره همراه) و گذرواژه با هم نمی‌خوانند. لطفاً هر دو را بررسی و دوباره تلاش کنید."
        in response.content.decode()
    )


def test_signout_needs_post_and_signs_out(client: Client, db):
    client.force_login(factories.user())
    assert client.post("/signout/").status_code == 302
    assert client.get("/me/").status_code == 302


def test_me_shows_the_vendors_own_applications_with_status_and_reason(client: Client, db):
    owner = factories.user()
    vendor = factories.vendor(user=owner, business_name="گلیم زهرا")
    site = factories.site(title_fa="بازارچه بروجرد", county_slug="borujerd")
    application = factories.application(site, vendor, status=Application.Status.WAITLISTED)
    ApplicationChange.objects.create(
        application=application, old_status="submitted", new_status="waitlisted", reason="ظرفیت تکمیل است"
    )
    factories.application(site, factories.vendor(business_name="غرفه دیگری"))
    client.force_login(owner)
    content = client.get("/me/").content.decode()
    assert "گلیم زهرا" in content
    assert "بازارچه بروجرد" in content
    assert "ظرفیت تکمیل است" in content
    assert "غرفه دیگری" not in content


def test_organiser_page_is_forbidden_to_vendors(client: Client, db):
    client.force_login(factories.vendor(user=factories.user()).user)
    assert client.get("/organiser/").status_code == 403


def test_organiser_page_counts_applications_per_status_in_scope(client: Client, db):
    exhibition = factories.exhibition()
    here = factories.site(exhibition, county_slug="khorramabad", title_fa="سایت اینجا")
    elsewhere = factories.site(exhibition, county_slug="borujerd", title_fa="سایت آنجا")
    for status in ["submitted", "submitted", "accepted"]:
        factories.application(here, status=status)
    factories.application(elsewhere)
    client.force_login(factories.county_organiser("khorramabad"))
    response = client.get("/organiser/")
    sites = list(response.context["sites"])
    assert [(s.title_fa, s.n_submitted, s.n_accepted) for s in sites] == [("سایت اینجا", 2, 1)]


def test_organiser_page_shows_each_sites_dates_on_one_short_line(client: Client, db):
    site = factories.site(start_date=datetime.date(2024, 12, 6), end_date=datetime.date(2024, 12, 11))
    client.force_login(factories.provincial_organiser())

    html = client.get("/organiser/").content.decode()

    assert re.findall(r'<td class="site-dates">([^<]*)</td>', html) == ["۱۶–۲۱ آذر ۱۴۰۳"]
    assert f'href="/organiser/sites/{site.slug}/applications/"' in html


@pytest.mark.parametrize("n_sites", [1, 4])
def test_organiser_page_query_count_does_not_grow_with_sites(
    client: Client, db, django_assert_num_queries, n_sites
):
    exhibition = factories.exhibition()
    for _ in range(n_sites):
        factories.application(factories.site(exhibition))
    client.force_login(factories.provincial_organiser())
    with django_assert_num_queries(6):
        client.get("/organiser/")


def test_signin_password_is_refused_after_ten_failures_even_when_right(client: Client, db):
    from django.core.cache import cache

    cache.clear()
    factories.user(username="province", password="demo-pass-987")
    for _ in range(10):
        client.post("/signin/password/", {"username": "province", "password": "wrong"})
    response = client.post("/signin/password/", {"username": "province", "password": "demo-pass-987"})
    assert response.status_code == 200
    assert "ورودهای ناموفق زیاد شد. لطفاً ۱۵ دقیقه صبر کنید و دوباره تلاش کنید." in response.content.decode()
    cache.clear()
