"""Pages for applying (vendor, company manager) and reviewing (organiser), with their permissions."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from bazaarche.text import to_persian_digits
from booths.models import Application, ApplicationChange, Offer
from events.models import DayException
from tests import factories
from tests.booths.applications.test_applying import days, open_site


def signed_in_vendor(client: Client, **fields):
    vendor = factories.vendor(user=factories.user(), **fields)
    client.force_login(vendor.user)
    return vendor


def form_data(site, n=1, **extra):
    data = {"days": days(site, n), "helpers": "۰", "products": "گلیم و جاجیم دستباف"}
    data.update(extra)
    return data


def test_apply_page_offers_only_open_days(client: Client, db):
    site = open_site()
    closed = site.start_date + datetime.timedelta(days=1)
    DayException.objects.create(site=site, date=closed, closed=True)
    signed_in_vendor(client)
    response = client.get(f"/sites/{site.slug}/apply/")
    assert response.status_code == 200
    assert [value for value, _label in response.context["form"].fields["days"].choices] == [
        d for d in days(site, 5) if d != closed.isoformat()
    ]


def test_apply_post_saves_and_redirects_to_the_application(client: Client, db):
    site = open_site()
    vendor = signed_in_vendor(client)
    response = client.post(f"/sites/{site.slug}/apply/", form_data(site, 3, needs_power="on"))
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/me/applications/{application.pk}/"
    assert (application.vendor, application.days, application.needs_power) == (vendor, days(site, 3), True)
    assert application.applied_by == vendor.user


def test_apply_post_closed_day_is_refused_with_message(client: Client, db):
    site = open_site()
    closed = site.start_date + datetime.timedelta(days=1)
    DayException.objects.create(site=site, date=closed, closed=True)
    signed_in_vendor(client)
    response = client.post(f"/sites/{site.slug}/apply/", form_data(site, days=[closed.isoformat()]))
    assert response.status_code == 400
    assert response.context["form"].errors["days"] == [
        "این محل در یکی از روزهایی که انتخاب کرده‌اید باز نیست. فقط از روزهای فهرست‌شده انتخاب کنید."
    ]
    assert Application.objects.count() == 0


def test_apply_post_too_many_helpers_is_refused_with_message(client: Client, db):
    site = open_site(helpers_per_booth=2)
    signed_in_vendor(client)
    response = client.post(f"/sites/{site.slug}/apply/", form_data(site, helpers="۳"))
    assert response.status_code == 400
    assert response.context["form"].errors["helpers"] == ["این محل برای هر غرفه حداکثر ۲ همکار می‌پذیرد."]
    assert Application.objects.count() == 0


def test_apply_second_time_shows_reason_and_no_form(client: Client, db):
    site = open_site()
    vendor = signed_in_vendor(client)
    factories.application(site, vendor)
    response = client.get(f"/sites/{site.slug}/apply/")
    assert response.context["form"] is None
    assert [r.code for r in response.context["candidates"][0][1]] == ["already_applied"]
    response = client.post(f"/sites/{site.slug}/apply/", form_data(site))
    assert Application.objects.count() == 1


def test_apply_closed_window_shows_reason(client: Client, db):
    now = timezone.now()
    site = open_site(
        applications_open=now - datetime.timedelta(days=3),
        applications_close=now - datetime.timedelta(days=1),
    )
    signed_in_vendor(client)
    response = client.post(f"/sites/{site.slug}/apply/", form_data(site))
    assert response.context["site_refusal"].code == "closed"
    assert Application.objects.count() == 0


def test_apply_company_manager_picks_members_as_one_group(client: Client, db):
    site = open_site()
    manager = factories.user()
    company = factories.support_company()
    company.managers.add(manager)
    members = [factories.vendor(support_company=company, permit_type="piece_rate") for _ in range(3)]
    client.force_login(manager)
    response = client.get(f"/sites/{site.slug}/apply/")
    assert [v for v, _label in response.context["form"].fields["vendors"].choices] == [
        str(m.pk) for m in members
    ]
    response = client.post(
        f"/sites/{site.slug}/apply/", form_data(site, 2, vendors=[str(members[0].pk), str(members[2].pk)])
    )
    assert response.status_code == 302
    assert sorted(Application.objects.values_list("vendor", "company")) == [
        (members[0].pk, company.pk),
        (members[2].pk, company.pk),
    ]


def test_apply_someone_without_business_gets_404(client: Client, db):
    client.force_login(factories.user())
    assert client.get(f"/sites/{open_site().slug}/apply/").status_code == 404


def test_application_page_of_another_vendor_is_404(client: Client, db):
    other = factories.application(open_site())
    signed_in_vendor(client)
    assert client.get(f"/me/applications/{other.pk}/").status_code == 404


def test_application_page_edit_and_withdraw(client: Client, db, outbox):
    site = open_site()
    vendor = signed_in_vendor(client)
    application = factories.application(site, vendor, days=days(site))
    assert client.get(f"/me/applications/{application.pk}/").status_code == 200
    response = client.post(f"/me/applications/{application.pk}/", form_data(site, 2, action="edit"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.days == days(site, 2)
    client.post(f"/me/applications/{application.pk}/", {"action": "withdraw"})
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert len(outbox) == 1


def test_application_edit_after_review_is_refused(client: Client, db):
    site = open_site()
    vendor = signed_in_vendor(client)
    application = factories.application(site, vendor, status="accepted", days=days(site))
    response = client.post(
        f"/me/applications/{application.pk}/", form_data(site, 2, action="edit"), follow=True
    )
    application.refresh_from_db()
    assert application.days == days(site)
    assert [str(m) for m in response.context["messages"]] == [
        "این درخواست بررسی شده است (پذیرفته) و دیگر ویرایش نمی‌شود."
    ]


def test_me_lists_open_calls_and_links_applications(client: Client, db):
    call = open_site(title_fa="فراخوان باز نوروز")
    applied = open_site()
    vendor = signed_in_vendor(client)
    application = factories.application(applied, vendor)
    response = client.get("/me/")
    content = response.content.decode()
    assert [s.pk for s in response.context["vendors"][0].open_calls] == [call.pk]
    assert f'href="/sites/{call.slug}/apply/"' in content
    assert f'href="/me/applications/{application.pk}/"' in content


def test_calls_page_lists_open_calls_per_vendor(client: Client, db):
    call = open_site()
    vendor = signed_in_vendor(client)
    response = client.get("/calls/")
    assert [(v.pk, [s.pk for s in sites]) for v, sites in response.context["rows"]] == [
        (vendor.pk, [call.pk])
    ]


# --- review ---


def test_review_list_other_county_is_404(client: Client, db):
    site = factories.site(county_slug="borujerd")
    application = factories.application(site)
    client.force_login(factories.county_organiser("khorramabad"))
    assert client.get(f"/organiser/sites/{site.slug}/applications/").status_code == 404
    response = client.post(
        f"/organiser/sites/{site.slug}/applications/bulk/",
        {"applications": [application.pk], "action": "accept"},
    )
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == "submitted"


def test_review_list_vendor_is_404(client: Client, db):
    site = factories.site()
    signed_in_vendor(client)
    assert client.get(f"/organiser/sites/{site.slug}/applications/").status_code == 404


def test_review_application_of_another_county_is_404_for_county_organiser(client: Client, db):
    application = factories.application(factories.site(county_slug="borujerd"))
    client.force_login(factories.county_organiser("khorramabad"))
    assert client.get(f"/me/applications/{application.pk}/").status_code == 404


def test_review_list_provincial_organiser_sees_every_county(client: Client, db):
    site = factories.site(county_slug="borujerd")
    factories.application(site)
    client.force_login(factories.provincial_organiser())
    response = client.get(f"/organiser/sites/{site.slug}/applications/")
    assert response.status_code == 200
    assert len(response.context["applications"]) == 1


def _many(site, n):
    company = factories.support_company()
    for i in range(n):
        vendor = factories.vendor(
            support_company=company, permit_type="piece_rate", female_head_of_household=i % 2 == 0
        )
        factories.application(site, vendor, company=company, priority=1, priority_reasons=["first_time"])


@pytest.mark.parametrize("n", [1, 12])
def test_review_list_query_count_is_constant(client: Client, db, django_assert_num_queries, n):
    site = factories.site()
    _many(site, n)
    client.force_login(factories.county_organiser())
    with django_assert_num_queries(9):
        response = client.get(f"/organiser/sites/{site.slug}/applications/?need=&status=submitted")
    assert len(response.context["applications"]) == n


def test_review_bulk_plain_post_accepts_and_redirects(client: Client, db, outbox):
    site = factories.site()
    applications = [factories.application(site) for _ in range(2)]
    untouched = factories.application(site)
    organiser = factories.county_organiser()
    client.force_login(organiser)
    response = client.post(
        f"/organiser/sites/{site.slug}/applications/bulk/",
        {
            "applications": [a.pk for a in applications],
            "action": "accept",
            "reason": "",
            "query": "status=submitted",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/organiser/sites/{site.slug}/applications/?status=submitted"
    assert sorted(Application.objects.filter(status="accepted").values_list("pk", flat=True)) == [
        a.pk for a in applications
    ]
    assert Application.objects.get(pk=untouched.pk).status == "submitted"
    assert len(outbox) == 2


def test_review_bulk_htmx_returns_updated_rows(client: Client, db, outbox):
    site = factories.site()
    application = factories.application(site)
    client.force_login(factories.county_organiser())
    response = client.post(
        f"/organiser/sites/{site.slug}/applications/bulk/",
        {"applications": [application.pk], "action": "reject", "reason": "رسته تکراری"},
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="results">')
    assert '<span class="badge status-rejected">ردشده</span>' in content
    assert list(ApplicationChange.objects.values_list("new_status", "reason")) == [
        ("rejected", "رسته تکراری")
    ]


def test_review_bulk_reject_without_reason_shows_error(client: Client, db, outbox):
    site = factories.site()
    application = factories.application(site)
    client.force_login(factories.county_organiser())
    response = client.post(
        f"/organiser/sites/{site.slug}/applications/bulk/",
        {"applications": [application.pk], "action": "reject", "reason": ""},
    )
    assert response.status_code == 400
    assert response.context["bulk_form"].errors["reason"] == [
        "دلیل را بنویسید؛ وقتی درخواستی به فهرست انتظار می‌رود یا رد می‌شود، متقاضی آن را می‌بیند."
    ]
    assert Application.objects.get().status == "submitted"
    assert outbox == []


def test_review_bulk_application_of_another_site_is_refused(client: Client, db, outbox):
    site = factories.site()
    elsewhere = factories.application(factories.site())
    client.force_login(factories.county_organiser())
    response = client.post(
        f"/organiser/sites/{site.slug}/applications/bulk/",
        {"applications": [elsewhere.pk], "action": "accept"},
    )
    assert response.status_code == 400
    assert Application.objects.get().status == "submitted"


def test_apply_manager_mixing_own_business_and_members_is_refused(client: Client, db):
    site = open_site()
    manager = factories.user()
    own = factories.vendor(user=manager)
    company = factories.support_company()
    company.managers.add(manager)
    member = factories.vendor(support_company=company, permit_type="piece_rate")
    client.force_login(manager)
    response = client.post(
        f"/sites/{site.slug}/apply/", form_data(site, vendors=[str(own.pk), str(member.pk)])
    )
    assert response.status_code == 400
    assert response.context["failures"] == ["برای کسب‌وکار خودتان و برای اعضای شرکت جداگانه درخواست دهید."]
    assert Application.objects.count() == 0


def test_apply_post_to_ineligible_site_is_400_and_saves_nothing(client: Client, db):
    site = open_site()
    signed_in_vendor(client, permit_expires=site.end_date - datetime.timedelta(days=1))
    response = client.post(f"/sites/{site.slug}/apply/", form_data(site))
    assert response.status_code == 400
    assert response.context["form"] is None
    assert Application.objects.count() == 0


@pytest.mark.parametrize("n", [1, 8])
def test_calls_page_query_count_is_constant(client: Client, db, django_assert_num_queries, n):
    for _ in range(n):
        open_site()
    signed_in_vendor(client)
    with django_assert_num_queries(8):  # the booth prices of every call in one query; companies apart
        response = client.get("/calls/")
    assert len(response.context["rows"][0][1]) == n


def test_review_list_htmx_filter_returns_only_the_results(client: Client, db):
    site = factories.site()
    accepted = factories.application(site, status="accepted")
    factories.application(site)
    client.force_login(factories.county_organiser())
    response = client.get(
        f"/organiser/sites/{site.slug}/applications/?status=accepted", headers={"HX-Request": "true"}
    )
    assert response.content.decode().lstrip().startswith('<div id="results">')
    assert [a.pk for a in response.context["applications"]] == [accepted.pk]
    assert response.context["counts"]["all"] == 2


@pytest.mark.parametrize("pk", ["9223372036854775808", "۹۲۲۳۳۷۲۰۳۶۸۵۴۷۷۵۸۰۸", "-1", "1" * 5000])
def test_review_bulk_application_number_out_of_bounds_is_refused(client: Client, db, outbox, pk):
    site = factories.site()
    factories.application(site)
    client.force_login(factories.county_organiser())
    response = client.post(
        f"/organiser/sites/{site.slug}/applications/bulk/", {"applications": [pk], "action": "accept"}
    )
    assert response.status_code == 400
    assert response.context["bulk_form"].errors["applications"] == [
        "یکی از درخواست‌های علامت‌خورده دیگر در فهرست این محل نیست. صفحه را دوباره بارگذاری کنید."
    ]
    assert Application.objects.get().status == "submitted"


def test_apply_with_a_superscript_digit_for_helpers_is_refused(client: Client, db):
    site = open_site()
    signed_in_vendor(client)
    response = client.post(f"/sites/{site.slug}/apply/", form_data(site, helpers="²"))
    assert response.status_code == 400
    assert response.context["form"].errors == {"helpers": ["تعداد همکاران را با عدد بنویسید، مثلاً ۱."]}
    assert Application.objects.count() == 0


def test_application_post_without_an_action_says_nothing_was_saved(client: Client, db):
    site = open_site()
    vendor = signed_in_vendor(client)
    application = factories.application(site, vendor, products="گلیم")
    url = f"/me/applications/{application.pk}/"
    response = client.post(url, form_data(site, products="جاجیم"), follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "چیزی ذخیره نشد. از دکمهٔ «ذخیرهٔ تغییرات» یا «پس گرفتن درخواست» استفاده کنید."
    ]
    application.refresh_from_db()
    assert application.products == "گلیم"


def test_application_page_warns_of_a_held_booth_and_withdrawing_releases_it(client: Client, db, outbox):
    from booths.models import Offer
    from tests.booths.allocation.helpers import booths_held

    _site, [offer], [next_in_line] = booths_held()
    holder = offer.application
    client.force_login(holder.vendor.user)
    url = f"/me/applications/{holder.pk}/"
    page = client.get(url).content.decode()
    assert (
        f'<p id="withdraw-booth"><strong>با پس گرفتن درخواست، غرفهٔ {to_persian_digits(offer.booth.code)} هم همان لحظه آزاد می‌شود: '
        "کارت‌های ورود شما دیگر در ورودی پذیرفته نمی‌شود و غرفه به نفر بعدی فهرست انتظار می‌رسد.</strong></p>"
    ) in page
    response = client.post(url, {"action": "withdraw"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "درخواست شما پس گرفته شد و غرفه‌تان آزاد شد: کارت‌های ورود شما دیگر پذیرفته نمی‌شود "
        "و غرفه به فهرست انتظار می‌رسد."
    ]
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.DECLINED
    assert Offer.objects.get(application=next_in_line).booth_id == offer.booth_id
    assert 'id="withdraw-booth"' not in client.get(url).content.decode()


def test_review_bulk_rejecting_an_application_with_a_booth_says_the_booth_was_released(
    client: Client, db, outbox
):
    from booths.models import Offer
    from tests.booths.allocation.helpers import booths_held

    site, [offer], [next_in_line] = booths_held()
    client.force_login(factories.county_organiser())
    url = f"/organiser/sites/{site.slug}/applications/"
    page = client.get(url).content.decode()
    assert page.count('<br><span class="muted small">غرفهٔ تأییدشده دارد</span>') == 1
    response = client.post(
        f"{url}bulk/",
        {"applications": [offer.application_id], "action": "reject", "reason": "پروانه باطل شده است"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "وضعیت ۱ درخواست به «ردشده» تغییر کرد و برای هر متقاضی پیامک فرستاده شد. "
        "۱ غرفه آزاد شد: کارت‌های ورود آن دیگر پذیرفته نمی‌شود و به ۱ نفر از فهرست انتظار غرفه پیشنهاد شد."
    ]
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.WITHDRAWN
    assert page.count("غرفه به او پیشنهاد شده است") == 0
    assert response.content.decode().count('<span class="muted small">غرفه به او پیشنهاد شده است</span>') == 1
    assert Offer.objects.get(application=next_in_line).status == Offer.Status.PENDING


def test_review_list_links_each_row_to_the_application_page(client: Client, db):
    site = factories.site()
    first = factories.application(site, priority=2)
    second = factories.application(site, priority=1)
    client.force_login(factories.county_organiser())

    html = client.get(f"/organiser/sites/{site.slug}/applications/").content.decode()

    rows = re.findall(r'<tr id="application-(\d+)">.*?<a class="application-link" href="([^"]+)"', html, re.S)
    assert rows == [
        (str(first.pk), f"/me/applications/{first.pk}/"),
        (str(second.pk), f"/me/applications/{second.pk}/"),
    ]
    assert client.get(f"/me/applications/{first.pk}/").status_code == 200


def test_review_list_select_all_box_waits_for_its_script(client: Client, db):
    site = factories.site()
    factories.application(site)
    client.force_login(factories.county_organiser())
    url = f"/organiser/sites/{site.slug}/applications/"

    page = client.get(url).content.decode()
    results = client.get(url, headers={"HX-Request": "true"}).content.decode()

    # Hidden until static/js/select_all.js shows it: without JavaScript it could not work.
    box = '<input type="checkbox" data-select-all="applications" hidden aria-label="همه را انتخاب کن">'
    assert page.count(box) == 1
    assert results.count(box) == 1
    assert page.count('<script src="/static/js/select_all.js" defer></script>') == 1


# --- what a booth costs, as the vendor reads it (issue 18) ---


def priced_call():
    """An open call whose booths cost nothing or 5,000,000 rials; a blocked dearer one does not count."""
    site = open_site()
    hall = factories.hall(site)
    factories.booth(hall, price=0)
    factories.booth(hall, price=5_000_000)
    factories.booth(hall, price=90_000_000, blocked=True)
    return site


def test_calls_page_shows_the_range_of_booth_prices_in_tomans(client: Client, db):
    site = priced_call()
    free = open_site()
    factories.booth(factories.hall(free), price=0)
    open_site()  # no booths yet: no price said
    signed_in_vendor(client)
    html = client.get("/calls/").content.decode()
    assert re.findall(r'<span class="card-meta call-price">([^<]+)</span>', html) == [
        "اجاره غرفه: از ۰ تا ۵۰۰٬۰۰۰ تومان",
        "اجاره غرفه: رایگان",
    ]
    assert site.slug in html


def test_calls_page_in_english_says_tomans_and_free(client: Client, db):
    priced_call()
    signed_in_vendor(client)
    html = client.get("/en/calls/").content.decode()
    assert re.findall(r'<span class="card-meta call-price">([^<]+)</span>', html) == [
        "Booth rent: from 0 to 500,000 tomans"
    ]


def test_apply_page_and_my_page_show_the_booth_prices(client: Client, db):
    site = priced_call()
    signed_in_vendor(client)
    apply_page = client.get(f"/sites/{site.slug}/apply/").content.decode()
    assert re.findall(r'<p class="apply-price">([^<]+)</p>', apply_page) == [
        "اجاره غرفه: از ۰ تا ۵۰۰٬۰۰۰ تومان"
    ]
    me = client.get("/me/").content.decode()
    assert re.findall(r'<span class="card-meta call-price">([^<]+)</span>', me) == [
        "اجاره غرفه: از ۰ تا ۵۰۰٬۰۰۰ تومان"
    ]


def test_application_and_offer_show_the_price_of_the_offered_booth(client: Client, db):
    site = priced_call()
    vendor = signed_in_vendor(client)
    application = factories.application(site, vendor, status=Application.Status.ACCEPTED)
    page = client.get(f"/me/applications/{application.pk}/").content.decode()
    assert re.findall(r'<dd class="price">([^<]+)</dd>', page) == ["از ۰ تا ۵۰۰٬۰۰۰ تومان"]

    booth = factories.booth(site.halls.get(), code="A-12", price=2_500_000)
    Offer.objects.create(
        application=application,
        booth=booth,
        days=application.days,
        expires_at=timezone.now() + datetime.timedelta(days=2),
    )
    page = client.get(f"/me/applications/{application.pk}/").content.decode()
    assert re.findall(r'<dd class="price">([^<]+)</dd>', page) == ["۲۵۰٬۰۰۰ تومان"]
    me = client.get("/me/").content.decode()
    assert re.findall(r'<dd class="offer-price">([^<]+)</dd>', me) == ["۲۵۰٬۰۰۰ تومان"]


def test_apply_and_calls_pages_say_the_hour_of_applying_does_not_matter(client: Client, db):
    """In a call's first minute thousands press at once; the pages say the lottery decides, not the clock."""
    site = open_site()
    signed_in_vendor(client)
    for address in (f"/sites/{site.slug}/apply/", "/calls/", f"/en/sites/{site.slug}/apply/"):
        page = client.get(address).content.decode()
        assert 'class="fair-note"' in page
    assert "عجله نکنید" in client.get("/calls/").content.decode()
    assert "public lottery" in client.get(f"/en/sites/{site.slug}/apply/").content.decode()
