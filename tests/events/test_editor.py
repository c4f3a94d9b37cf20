"""The organisers' editor pages: scope by province and county, Jalali forms, publishing, query counts."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from events.models import DayException, Exhibition, OpeningHours, Site, SiteQuota, Venue
from events.schedule import schedule_for
from tests import factories
from vendors.models import CategoryGroup, County

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _persian():
    # A request to /en/ leaves English active in this thread, and reverse() would follow it.
    with translation.override("fa"):
        yield


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def site_post(**overrides) -> dict:
    data = {
        "title_fa": "بازارچه جمعه خرم‌آباد",
        "title_en": "Khorramabad Friday bazaar",
        "county": str(County.objects.get(slug="khorramabad").pk),
        "venue_name_fa": "پارک کیو",
        "venue_address_fa": "خرم‌آباد، خیابان کیو",
        "venue_location": "33.4878, 48.3558",
        "start_date": "۱۴۰۵/۰۹/۰۷",
        "end_date": "۱۴۰۵/۱۰/۰۵",
        "applications_open": "۱۴۰۵/۰۸/۱۰ ۰۸:۰۰",
        "applications_close": "۱۴۰۵/۰۸/۲۵ ۲۰:۰۰",
        "helpers_per_booth": "2",
        "confirm_days": "3",
        "mode": "weekly",
        "weekday": "4",
        "opens": "۱۶:۰۰",
        "closes": "۲۱:۰۰",
    }
    data.update(overrides)
    return data


def test_exhibition_created_with_slug_from_english_title():
    organiser = factories.provincial_organiser()
    response = signed_in(organiser).post(
        reverse("editor-exhibition-new"),
        {"title_fa": "نمایشگاه پاییزه", "title_en": "Autumn fair 1405", "description_fa": "مشاغل خانگی"},
    )
    exhibition = Exhibition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/organiser/exhibitions/autumn-fair-1405/"
    assert (exhibition.slug, exhibition.status, exhibition.created_by) == (
        "autumn-fair-1405",
        "draft",
        organiser,
    )
    assert exhibition.province == organiser.organiser_province


def test_exhibition_without_english_title_gets_fallback_slug():
    signed_in(factories.provincial_organiser()).post(
        reverse("editor-exhibition-new"), {"title_fa": "بازارچه"}
    )
    assert Exhibition.objects.get().slug == "exhibition-1"


def test_county_organiser_cannot_create_exhibition():
    client = signed_in(factories.county_organiser())
    assert client.get(reverse("editor-exhibition-new")).status_code == 403
    assert client.post(reverse("editor-exhibition-new"), {"title_fa": "x"}).status_code == 403
    assert Exhibition.objects.count() == 0


def test_vendor_cannot_open_editor():
    client = signed_in(factories.user())
    assert client.get(reverse("editor-exhibitions")).status_code == 403


def test_poster_that_is_not_an_image_refused():
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-exhibition-new"),
        {"title_fa": "نمایشگاه", "poster": SimpleUploadedFile("poster.png", b"not an image", "image/png")},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["poster"]
    assert Exhibition.objects.count() == 0


def test_site_created_in_jalali_as_weekly_bazaar():
    organiser = factories.provincial_organiser()
    exhibition = factories.exhibition(status="draft")
    group = CategoryGroup.objects.order_by("pk").first()
    response = signed_in(organiser).post(
        reverse("editor-site-new", args=[exhibition.slug]),
        site_post(**{f"quota-{group.pk}": "۴۰", "eligible_groups": [str(group.pk)]}),
    )
    assert response.status_code == 302
    site = Site.objects.get()
    assert response["Location"] == f"/organiser/sites/{site.slug}/edit/"
    assert site.slug == "khorramabad-friday-bazaar"
    assert (site.start_date, site.end_date) == (datetime.date(2026, 11, 28), datetime.date(2026, 12, 26))
    assert site.venue.name_fa == "پارک کیو"
    assert str(site.venue.latitude) == "33.487800"
    assert site.helpers_per_booth == 2
    assert list(site.eligible_groups.all()) == [group]
    assert list(SiteQuota.objects.values_list("group", "max_percent")) == [(group.pk, 40)]
    open_days = schedule_for(site).open_days
    assert [d.date for d in open_days] == [datetime.date(2026, 12, d) for d in (4, 11, 18, 25)]
    exhibition.refresh_from_db()
    assert exhibition.revision == 2


def test_site_with_invalid_jalali_date_shows_persian_error_and_saves_nothing():
    exhibition = factories.exhibition(status="draft")
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-site-new", args=[exhibition.slug]), site_post(start_date="۱۴۰۵/۱۲/۳۰")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["start_date"] == [
        "«۱۴۰۵/۱۲/۳۰» تاریخ درستی نیست؛ آن را مانند ۱۴۰۵/۰۹/۰۷ بنویسید."
    ]
    assert "«۱۴۰۵/۱۲/۳۰» تاریخ درستی نیست" in response.content.decode()
    assert (Site.objects.count(), OpeningHours.objects.count()) == (0, 0)
    assert County.objects.get(slug="khorramabad").venues.count() == 0


def test_site_with_bad_quota_saves_nothing():
    exhibition = factories.exhibition(status="draft")
    group = CategoryGroup.objects.order_by("pk").first()
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-site-new", args=[exhibition.slug]), site_post(**{f"quota-{group.pk}": "120"})
    )
    assert response.status_code == 200
    assert response.context["quotas_form"].errors == {str(group.pk): ["سهم باید میان ۱ تا ۱۰۰ درصد باشد."]}
    assert Site.objects.count() == 0


def test_county_organiser_cannot_create_site_in_another_county():
    exhibition = factories.exhibition(status="draft")
    client = signed_in(factories.county_organiser("khorramabad"))
    response = client.post(
        reverse("editor-site-new", args=[exhibition.slug]),
        site_post(county=str(County.objects.get(slug="borujerd").pk)),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["county"]
    assert Site.objects.count() == 0
    assert [c.slug for c in response.context["form"].fields["county"].queryset] == ["khorramabad"]


def test_county_organiser_creates_site_in_own_county():
    exhibition = factories.exhibition(status="draft")
    response = signed_in(factories.county_organiser("khorramabad")).post(
        reverse("editor-site-new", args=[exhibition.slug]), site_post()
    )
    assert response.status_code == 302
    assert Site.objects.get().county.slug == "khorramabad"


def test_county_organiser_gets_404_for_another_countys_site():
    site = factories.site(county_slug="borujerd")
    client = signed_in(factories.county_organiser("khorramabad"))
    url = reverse("editor-site", args=[site.slug])
    assert client.get(url).status_code == 404
    assert client.post(url, site_post()).status_code == 404
    assert client.post(reverse("editor-holidays-add", args=[site.slug])).status_code == 404
    assert client.post(reverse("editor-exception-add", args=[site.slug]), {}).status_code == 404


def test_county_organiser_edits_own_site_and_sequence_grows():
    site = factories.site(county_slug="khorramabad")
    client = signed_in(factories.county_organiser("khorramabad"))
    assert client.get(reverse("editor-site", args=[site.slug])).status_code == 200
    response = client.post(
        reverse("editor-site", args=[site.slug]),
        site_post(title_fa="نام تازه", slug=site.slug, venue=str(site.venue.pk), venue_name_fa=""),
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.title_fa, site.sequence, site.exhibition.revision) == ("نام تازه", 1, 2)


def test_county_organiser_cannot_edit_or_publish_exhibition():
    exhibition = factories.exhibition(status="draft")
    client = signed_in(factories.county_organiser())
    assert client.get(reverse("editor-exhibition", args=[exhibition.slug])).status_code == 200
    assert (
        client.post(reverse("editor-exhibition", args=[exhibition.slug]), {"title_fa": "x"}).status_code
        == 403
    )
    assert client.post(reverse("editor-exhibition-publish", args=[exhibition.slug])).status_code == 403
    exhibition.refresh_from_db()
    assert (exhibition.status, exhibition.revision) == ("draft", 1)


def test_publish_bumps_revision():
    exhibition = factories.exhibition(status="draft")
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-exhibition-publish", args=[exhibition.slug])
    )
    assert response.status_code == 302
    exhibition.refresh_from_db()
    assert (exhibition.status, exhibition.revision) == ("published", 2)
    assert exhibition.published_at is not None


def test_publish_needs_post():
    exhibition = factories.exhibition(status="draft")
    client = signed_in(factories.provincial_organiser())
    assert client.get(reverse("editor-exhibition-publish", args=[exhibition.slug])).status_code == 405


def test_holidays_button_adds_estimated_closures_and_page_says_so():
    site = factories.site(start_date=datetime.date(2027, 3, 8), end_date=datetime.date(2027, 3, 12))
    client = signed_in(factories.provincial_organiser())
    response = client.post(reverse("editor-holidays-add", args=[site.slug]))
    assert response.status_code == 302
    assert list(DayException.objects.filter(site=site).values_list("date", "estimated")) == [
        (datetime.date(2027, 3, 10), True),
        (datetime.date(2027, 3, 11), True),
    ]
    page = client.get(reverse("editor-site", args=[site.slug])).content.decode()
    assert page.count("تاریخ تقریبی") == 2


def test_exception_add_and_remove():
    site = factories.site(start_date=datetime.date(2027, 3, 20), end_date=datetime.date(2027, 3, 25))
    client = signed_in(factories.provincial_organiser())
    response = client.post(
        reverse("editor-exception-add", args=[site.slug]),
        {"exception-date": "۱۴۰۶/۰۱/۰۲", "exception-closed": "1", "exception-reason_fa": "سوگواری"},
    )
    assert response.status_code == 302
    exception = DayException.objects.get(site=site)
    assert (exception.date, exception.closed, exception.reason_fa) == (
        datetime.date(2027, 3, 22),
        True,
        "سوگواری",
    )
    client.post(reverse("editor-exception-remove", args=[site.slug, exception.pk]))
    assert DayException.objects.filter(site=site).count() == 0
    site.refresh_from_db()
    assert site.sequence == 2


def test_exception_with_invalid_date_rerenders_with_error():
    site = factories.site()
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-exception-add", args=[site.slug]),
        {"exception-date": "1405/13/01", "exception-closed": "1"},
    )
    assert response.status_code == 400
    assert list(response.context["exception_form"].errors) == ["date"]
    assert DayException.objects.count() == 0


def test_site_edit_shows_jalali_dates_in_persian_digits():
    site = factories.site(start_date=datetime.date(2026, 11, 28), end_date=datetime.date(2026, 12, 1))
    page = (
        signed_in(factories.provincial_organiser())
        .get(reverse("editor-site", args=[site.slug]))
        .content.decode()
    )
    assert 'value="۱۴۰۵/۰۹/۰۷"' in page


def test_site_edit_in_english_shows_iso_dates():
    site = factories.site(start_date=datetime.date(2026, 11, 28), end_date=datetime.date(2026, 12, 1))
    page = (
        signed_in(factories.provincial_organiser())
        .get(f"/en/organiser/sites/{site.slug}/edit/")
        .content.decode()
    )
    assert 'value="2026-11-28"' in page


def test_other_province_exhibition_is_404():
    from vendors.models import Province

    other = Province.objects.create(slug="ilam", name_fa="ایلام")
    exhibition = factories.exhibition(province=other)
    client = signed_in(factories.provincial_organiser())
    assert client.get(reverse("editor-exhibition", args=[exhibition.slug])).status_code == 404
    assert client.get(reverse("editor-site-new", args=[exhibition.slug])).status_code == 404


@pytest.mark.parametrize("n", [1, 4])
def test_exhibition_list_query_count_is_constant(django_assert_num_queries, n):
    for _ in range(n):
        factories.site(factories.exhibition())
    client = signed_in(factories.provincial_organiser())
    # session, user, exhibitions with site counts; roles for the top bar (vendors, companies).
    with django_assert_num_queries(5):
        response = client.get(reverse("editor-exhibitions"))
    assert len(response.context["exhibitions"]) == n


@pytest.mark.parametrize("n", [1, 4])
def test_exhibition_page_query_count_is_constant(django_assert_num_queries, n):
    exhibition = factories.exhibition()
    for _ in range(n):
        factories.site(exhibition)
    client = signed_in(factories.provincial_organiser())
    with django_assert_num_queries(7):
        response = client.get(reverse("editor-exhibition", args=[exhibition.slug]))
    assert len(response.context["sites"]) == n


def test_poster_image_is_saved(settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (60, 90), "teal").save(buffer, "PNG")
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-exhibition-new"),
        {"title_fa": "نمایشگاه", "poster": SimpleUploadedFile("poster.png", buffer.getvalue(), "image/png")},
    )
    assert response.status_code == 302
    poster = Exhibition.objects.get().poster
    assert re.fullmatch(r"posters/[0-9a-f]{32}\.jpg", poster.name)
    assert Image.open(poster.path).size == (60, 90)


def test_poster_too_large_refused(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PHOTO_MAX_BYTES = 2 * 1024 * 1024
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-exhibition-new"),
        {"title_fa": "نمایشگاه", "poster": SimpleUploadedFile("poster.png", b"x" * (2 * 1024 * 1024 + 1))},
    )
    assert list(response.context["form"].errors) == ["poster"]
    assert (
        '<div class="error" id="id_poster_error" role="alert"><p>'
        "پوستر بیش از اندازه بزرگ است؛ لطفاً تصویری تا ۲ مگابایت انتخاب کنید.</p></div>"
        in (response.content.decode())
    )
    assert Exhibition.objects.count() == 0


def test_exception_add_with_htmx_returns_the_section_only():
    site = factories.site(start_date=datetime.date(2027, 3, 20), end_date=datetime.date(2027, 3, 25))
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-exception-add", args=[site.slug]),
        {"exception-date": "1406/01/02", "exception-closed": "1"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="panel" id="exceptions"')
    assert '<p class="notice" role="status">تعطیلی یا استثنا افزوده شد.</p>' in html
    assert DayException.objects.filter(site=site).count() == 1


def test_exception_add_with_htmx_shows_errors_in_the_section():
    site = factories.site()
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-exception-add", args=[site.slug]),
        {"exception-date": "۱۴۰۵/۱۲/۳۰", "exception-closed": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "«۱۴۰۵/۱۲/۳۰» تاریخ درستی نیست؛ آن را مانند ۱۴۰۵/۰۹/۰۷ بنویسید." in response.content.decode()
    assert DayException.objects.count() == 0


def test_site_with_bad_hours_saves_nothing_and_says_so():
    exhibition = factories.exhibition(status="draft")
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-site-new", args=[exhibition.slug]), site_post(opens="۲۱:۰۰", closes="۱۶:۰۰")
    )
    assert response.status_code == 200
    assert response.context["hours_form"].errors == {"closes": ["ساعت پایان باید پس از ساعت گشایش باشد."]}
    assert (Site.objects.count(), Venue.objects.count()) == (0, 0)


def test_site_in_english_accepts_iso_dates():
    exhibition = factories.exhibition(status="draft")
    client = signed_in(factories.provincial_organiser())
    with translation.override("en"):
        url = reverse("editor-site-new", args=[exhibition.slug])
    assert url == f"/en/organiser/exhibitions/{exhibition.slug}/sites/new/"
    response = client.post(
        url, site_post(start_date="2026-11-28", end_date="2026-12-26", applications_open="")
    )
    assert response.status_code == 302
    assert Site.objects.get().start_date == datetime.date(2026, 11, 28)


def test_county_organiser_list_counts_only_own_county_sites():
    exhibition = factories.exhibition()
    factories.site(exhibition, county_slug="khorramabad")
    factories.site(exhibition, county_slug="borujerd")
    response = signed_in(factories.county_organiser("khorramabad")).get(reverse("editor-exhibitions"))
    assert [(e.slug, e.n_sites) for e in response.context["exhibitions"]] == [(exhibition.slug, 1)]
    assert response.context["can_create"] is False


@pytest.mark.parametrize("data", [{}, {"title_fa": "", "slug": ""}])
def test_exhibition_edit_refused_shows_errors_and_keeps_the_address(data):
    exhibition = factories.exhibition(status="draft", title_fa="نمایشگاه پاییزه")
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-exhibition", args=[exhibition.slug]), data
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"title_fa": ["این فیلد لازم است."]}
    assert response.context["exhibition"].slug == exhibition.slug
    exhibition.refresh_from_db()
    assert exhibition.title_fa == "نمایشگاه پاییزه"


def test_site_new_empty_post_shows_errors_and_saves_nothing():
    exhibition = factories.exhibition(status="draft")
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-site-new", args=[exhibition.slug]), {}
    )
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == [
        "confirm_days",
        "county",
        "end_date",
        "helpers_per_booth",
        "start_date",
        "title_fa",
        "venue_name_fa",
    ]
    assert Site.objects.count() == 0


def test_site_with_an_eligible_group_number_too_large_is_refused():
    exhibition = factories.exhibition(status="draft")
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-site-new", args=[exhibition.slug]),
        site_post(eligible_groups=["9223372036854775808"]),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "eligible_groups": ["یکی از گزینه‌های علامت‌خورده دیگر در فهرست نیست. صفحه را دوباره بارگذاری کنید."]
    }
    assert Site.objects.count() == 0


def _first_options(page: str) -> dict[str, str]:
    """The first option's text of every select on a page, by the select's name."""
    selects = re.findall(r'<select name="([^"]+)"[^>]*>\s*<option[^>]*>([^<]*)</option>', page)
    return {name: text.strip() for name, text in selects}


def test_site_editor_county_select_asks_in_persian_not_django_english():
    site = factories.site()
    client = signed_in(factories.provincial_organiser())
    edit = client.get(reverse("editor-site", args=[site.slug])).content.decode()
    new = client.get(reverse("editor-site-new", args=[site.exhibition.slug])).content.decode()

    assert _first_options(edit)["county"] == "شهرستان را انتخاب کنید"
    assert _first_options(new)["county"] == "شهرستان را انتخاب کنید"
    assert "Select an option" not in edit + new


def test_site_editor_county_select_asks_in_english_on_the_english_site():
    site = factories.site()
    page = signed_in(factories.provincial_organiser()).get(f"/en/organiser/sites/{site.slug}/edit/")

    assert _first_options(page.content.decode())["county"] == "Choose the county"


# --- the new venue's place: a pasted map link or typed numbers -----------------------------------


def test_site_venue_place_read_from_a_pasted_neshan_link():
    exhibition = factories.exhibition(status="draft")
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-site-new", args=[exhibition.slug]),
        site_post(venue_location="https://neshan.org/maps/@33.487812,48.355824,16.5z,0.0p"),
    )
    assert response.status_code == 302
    venue = Site.objects.get().venue
    assert (str(venue.latitude), str(venue.longitude)) == ("33.487812", "48.355824")


def test_site_venue_place_read_from_persian_digits():
    exhibition = factories.exhibition(status="draft")
    signed_in(factories.provincial_organiser()).post(
        reverse("editor-site-new", args=[exhibition.slug]), site_post(venue_location="۳۳٫۴۸۷۸، ۴۸٫۳۵۵۸")
    )
    venue = Site.objects.get().venue
    assert (str(venue.latitude), str(venue.longitude)) == ("33.487800", "48.355800")


def test_site_venue_place_may_be_left_empty():
    exhibition = factories.exhibition(status="draft")
    signed_in(factories.provincial_organiser()).post(
        reverse("editor-site-new", args=[exhibition.slug]), site_post(venue_location="")
    )
    venue = Site.objects.get().venue
    assert (venue.latitude, venue.longitude) == (None, None)


def test_site_venue_short_link_refused_saying_what_to_copy():
    exhibition = factories.exhibition(status="draft")
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-site-new", args=[exhibition.slug]),
        site_post(venue_location="https://maps.app.goo.gl/xYz9AbC"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["venue_location"] == [
        "این یک پیوند کوتاه است و بدون باز کردن آن نمی‌توان جای مکان را از آن خواند. پیوند را باز کنید و "
        "پیوند بلندی را که در نوار بالای مرورگر می‌آید کپی کنید، یا دو عدد مکان را بنویسید، مانند "
        "۳۳٫۴۸۷۸، ۴۸٫۳۵۵۸."
    ]
    assert Site.objects.count() == 0
    assert Venue.objects.count() == 0


def test_site_venue_outside_iran_refused_with_the_numbers():
    exhibition = factories.exhibition(status="draft")
    response = signed_in(factories.provincial_organiser()).post(
        reverse("editor-site-new", args=[exhibition.slug]),
        site_post(venue_location="https://www.google.com/maps/@48.8566,2.3522,12z"),
    )
    assert response.context["form"].errors["venue_location"] == [
        "نقطهٔ ۴۸٫۸۵۶۶، ۲٫۳۵۲۲ بیرون از ایران است. در ایران عرض جغرافیایی (عدد نخست) میان ۲۵ تا ۴۰ "
        "و طول جغرافیایی (عدد دوم) میان ۴۴ تا ۶۴ است؛ لطفاً عددها را بررسی کنید."
    ]
    page = response.content.decode()
    # the box holding the new venue is open, so the message is seen
    assert re.search(r'<details class="new-venue" open>', page)
    assert Site.objects.count() == 0
