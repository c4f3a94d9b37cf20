"""The organisers' vendor directory: scope, search, filters, pages, query counts and exports."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories
from vendors.models import Category, County, Province, VendorPhoto

pytestmark = pytest.mark.django_db

DIRECTORY = "/organiser/vendors/"


def codes(response) -> list[str]:
    return [vendor.tracking_code for vendor in response.context["page"]]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def province_client() -> Client:
    return signed_in(factories.provincial_organiser())


def other_province_county() -> County:
    province = Province.objects.create(slug="hamadan", name_fa="همدان", name_en="Hamadan")
    return County.objects.create(province=province, slug="malayer", name_fa="ملایر", name_en="Malayer")


# Who may see what


def test_directory_county_organiser_sees_only_own_county():
    here = factories.vendor(tracking_code="1404000001", county=factories.county("khorramabad"))
    factories.vendor(tracking_code="1404000002", county=factories.county("borujerd"))
    client = signed_in(factories.county_organiser("khorramabad"))

    response = client.get(DIRECTORY)

    assert response.status_code == 200
    assert codes(response) == [here.tracking_code]


def test_directory_provincial_organiser_sees_only_own_province(province_client):
    factories.vendor(tracking_code="1404000001", last_name="کریمی 1", county=factories.county("khorramabad"))
    factories.vendor(tracking_code="1404000002", last_name="کریمی 2", county=factories.county("borujerd"))
    factories.vendor(tracking_code="1404000003", last_name="کریمی 3", county=other_province_county())

    response = province_client.get(DIRECTORY)

    assert codes(response) == ["1404000001", "1404000002"]


def test_directory_county_filter_outside_scope_is_ignored():
    here = factories.vendor(county=factories.county("khorramabad"))
    factories.vendor(county=factories.county("borujerd"))
    client = signed_in(factories.county_organiser("khorramabad"))

    response = client.get(DIRECTORY, {"county": "borujerd"})

    assert codes(response) == [here.tracking_code]


def test_vendor_detail_outside_scope_is_404():
    elsewhere = factories.vendor(county=factories.county("borujerd"))
    client = signed_in(factories.county_organiser("khorramabad"))

    assert client.get(f"{DIRECTORY}{elsewhere.pk}/").status_code == 404


def test_vendor_detail_in_other_province_is_404(province_client):
    elsewhere = factories.vendor(county=other_province_county())

    assert province_client.get(f"{DIRECTORY}{elsewhere.pk}/").status_code == 404


@pytest.mark.parametrize("path", [DIRECTORY, f"{DIRECTORY}export.csv", f"{DIRECTORY}export.xlsx"])
def test_directory_is_forbidden_to_vendors_and_company_managers(path):
    vendor_user = factories.user()
    factories.vendor(user=vendor_user)
    manager = factories.user()
    factories.support_company().managers.add(manager)

    assert signed_in(vendor_user).get(path).status_code == 403
    assert signed_in(manager).get(path).status_code == 403
    assert signed_in(factories.user()).get(path).status_code == 403


def test_vendor_detail_is_forbidden_to_the_vendor_themself():
    vendor_user = factories.user()
    vendor = factories.vendor(user=vendor_user)

    assert signed_in(vendor_user).get(f"{DIRECTORY}{vendor.pk}/").status_code == 403


def test_directory_anonymous_is_sent_to_sign_in(client):
    response = client.get(DIRECTORY)

    assert response.status_code == 302
    assert response["Location"] == f"/signin/?next={DIRECTORY}"


# Search


def test_search_with_arabic_yeh_finds_persian_yeh(province_client):
    ali = factories.vendor(first_name="علی")
    factories.vendor(first_name="مریم")

    assert codes(province_client.get(DIRECTORY, {"q": "علي"})) == [ali.tracking_code]


def test_search_with_persian_digits_finds_mobile(province_client):
    found = factories.vendor(mobile="09161234567")
    factories.vendor(mobile="09120000000")

    assert codes(province_client.get(DIRECTORY, {"q": "۰۹۱۶۱۲۳"})) == [found.tracking_code]


@pytest.mark.parametrize("query", ["+98 916 123 4567", "+989161234567", "0098-916-123-4567", "+98916123"])
def test_search_with_country_code_finds_mobile(province_client, query):
    found = factories.vendor(mobile="09161234567")
    factories.vendor(mobile="09120000000")
    # Each part of the number is somewhere in this one's codes, but not the number.
    factories.vendor(mobile="09169160000", tracking_code="1404001234", business_name="کارگاه 4567")

    assert codes(province_client.get(DIRECTORY, {"q": query})) == [found.tracking_code]


def test_search_by_tracking_code_and_national_id(province_client):
    found = factories.vendor(tracking_code="1404777001", national_id="0499370899")
    factories.vendor(tracking_code="1404888002")

    assert codes(province_client.get(DIRECTORY, {"q": "۱۴۰۴۷۷۷"})) == [found.tracking_code]
    assert codes(province_client.get(DIRECTORY, {"q": "0499370899"})) == [found.tracking_code]


def test_search_needs_every_word(province_client):
    both = factories.vendor(first_name="زهرا", business_name="گلیم‌بافی زاگرس")
    factories.vendor(first_name="زهرا", business_name="نان محلی")
    factories.vendor(first_name="مریم", business_name="گلیم بافی")

    # Space or ZWNJ between word parts does not matter, but every word must be there.
    assert codes(province_client.get(DIRECTORY, {"q": "زهرا  گلیم بافی"})) == [both.tracking_code]


def test_search_ignores_hamza_and_zwnj(province_client):
    found = factories.vendor(business_name="خوراکی‌های مائده")

    assert codes(province_client.get(DIRECTORY, {"q": "خوراکیهای مايده"})) == [found.tracking_code]


# Filters


def test_filter_by_county_category_and_group(province_client):
    glim = Category.objects.get(code="1002")
    other = Category.objects.get(code="2001")
    a = factories.vendor(last_name="کریمی 1", category=glim, county=factories.county("khorramabad"))
    b = factories.vendor(last_name="کریمی 2", category=other, county=factories.county("khorramabad"))
    c = factories.vendor(last_name="کریمی 3", category=glim, county=factories.county("borujerd"))

    assert codes(province_client.get(DIRECTORY, {"county": "khorramabad"})) == [
        a.tracking_code,
        b.tracking_code,
    ]
    assert codes(province_client.get(DIRECTORY, {"category": "1002"})) == [a.tracking_code, c.tracking_code]
    assert codes(province_client.get(DIRECTORY, {"group": glim.group.slug})) == [
        a.tracking_code,
        c.tracking_code,
    ]
    assert codes(province_client.get(DIRECTORY, {"county": "borujerd", "group": glim.group.slug})) == [
        c.tracking_code
    ]


def test_filter_by_permit_status_boundaries(province_client):
    today = timezone.localdate()
    year_ago = today - datetime.timedelta(days=365)

    def expiring_in(days: int, name: str) -> str:
        expires = today + datetime.timedelta(days=days)
        return factories.vendor(last_name=name, permit_issued=year_ago, permit_expires=expires).tracking_code

    yesterday = expiring_in(-1, "کریمی 1")
    today_ = expiring_in(0, "کریمی 2")
    day_30 = expiring_in(30, "کریمی 3")
    day_31 = expiring_in(31, "کریمی 4")

    assert codes(province_client.get(DIRECTORY, {"permit": "expired"})) == [yesterday]
    assert codes(province_client.get(DIRECTORY, {"permit": "expiring"})) == [today_, day_30]
    assert codes(province_client.get(DIRECTORY, {"permit": "valid"})) == [day_31]
    # An unknown value is dropped, so a mistyped shared URL still shows the list.
    assert codes(province_client.get(DIRECTORY, {"permit": "forever"})) == [yesterday, today_, day_30, day_31]


# Pages


def test_directory_paginates_by_fifty_with_a_count(province_client):
    for n in range(51):
        factories.vendor(tracking_code=f"{1404100000 + n}", last_name=f"رحیمی {n:03d}")

    first = province_client.get(DIRECTORY)
    second = province_client.get(DIRECTORY, {"page": "2"})

    assert len(codes(first)) == 50
    assert codes(second) == ["1404100050"]
    assert first.context["page"].paginator.count == 51
    assert '<p class="count">۵۱ غرفه‌دار</p>' in first.content.decode()


def test_directory_htmx_request_gets_only_the_results(province_client):
    factories.vendor(first_name="علی")

    response = province_client.get(DIRECTORY, {"q": "علي"}, headers={"HX-Request": "true"})
    html = response.content.decode().strip()

    assert html.startswith('<section id="results"')
    assert html.endswith("</section>")
    assert "<html" not in html
    assert response["Vary"] == "HX-Request, Accept-Language, Cookie, Accept-Encoding"


def test_directory_history_restore_gets_the_whole_page(province_client):
    response = province_client.get(
        DIRECTORY, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert response.content.decode().startswith("<!doctype html>")


def make_vendors(count: int) -> None:
    company = factories.support_company()
    for n in range(count):
        factories.vendor(
            county=factories.county("khorramabad" if n % 2 else "borujerd"),
            permit_type="piece_rate",
            support_company=company,
        )


@pytest.mark.parametrize("count", [1, 60])
def test_directory_query_count_does_not_grow_with_vendors(province_client, django_assert_num_queries, count):
    make_vendors(count)

    # session, user, roles (2), counties, groups, categories, count, page
    with django_assert_num_queries(9):
        response = province_client.get(DIRECTORY, {"q": "مریم"})

    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 60])
def test_export_query_count_does_not_grow_with_vendors(province_client, django_assert_num_queries, count):
    make_vendors(count)

    # session, user, counties, groups, categories, rows
    with django_assert_num_queries(6):
        response = province_client.get(f"{DIRECTORY}export.csv")
        b"".join(response.streaming_content)


# Detail


def test_vendor_detail_shows_private_fields_and_jalali_dates(province_client):
    company = factories.support_company(name="شرکت هنر لر", national_id="10102345673")
    vendor = factories.vendor(
        national_id="0499370899",
        mobile="09161234567",
        address="خرم‌آباد، کوچه 26",
        postal_code="6813745678",
        permit_issued=datetime.date(2025, 10, 7),
        permit_expires=datetime.date(2028, 3, 19),
        permit_type="piece_rate",
        support_company=company,
        female_head_of_household=True,
        user=factories.user(),
    )
    VendorPhoto.objects.create(vendor=vendor, image="vendors/1/a.jpg", thumbnail="vendors/1/a-thumb.jpg")

    response = province_client.get(f"{DIRECTORY}{vendor.pk}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert response.context["private"] is True
    for text in (
        "<dd>۰۴۹۹۳۷۰۸۹۹</dd>",
        '<a href="tel:09161234567">۰۹۱۶۱۲۳۴۵۶۷</a>',
        "<dd>خرم‌آباد، کوچه ۲۶</dd>",
        "<dd>۶۸۱۳۷۴۵۶۷۸</dd>",
        "<dd>۱۵ مهر ۱۴۰۴</dd>",
        "<dd>۲۹ اسفند ۱۴۰۶</dd>",
        "شرکت هنر لر",
        'src="/media/vendors/1/a-thumb.jpg"',
        '<span class="badge good">حساب کاربری متصل است</span>',
    ):
        assert text in html, text


# Exports


def export_vendors():
    company = factories.support_company(name="شرکت هنر لر", national_id="10102345673")
    first = factories.vendor(
        tracking_code="1404000001",
        permit_id="334107653877",
        national_id="0166131865",
        first_name="مریم",
        last_name="احمدی",
        gender="F",
        mobile="09909486738",
        business_name="گلیم مریم",
        category=Category.objects.get(code="1002"),
        permit_type="piece_rate",
        support_company=company,
        permit_issued=datetime.date(2025, 10, 7),
        permit_expires=datetime.date(2028, 3, 19),
        county=factories.county("chegeni"),
        city="سراب دوره",
        postal_code="5151117772",
        female_head_of_household=True,
    )
    second = factories.vendor(
        tracking_code="1404000002",
        national_id="0499370899",
        first_name="بهمن",
        last_name="دالوند",
        gender="M",
        mobile="09359729027",
        business_name="نان محلی",
        category=Category.objects.get(code="2001"),
        permit_issued=datetime.date(2024, 3, 20),
        permit_expires=datetime.date(2027, 1, 1),
        county=factories.county("khorramabad"),
        disability=True,
    )
    return first, second


HEADER = [
    "کد رهگیری",
    "شناسه یکتا مجوز",
    "کد ملی",
    "نام",
    "نام خانوادگی",
    "جنسیت",
    "تلفن همراه",
    "نام کسب‌وکار",
    "کد رسته",
    "عنوان رسته",
    "گروه رسته",
    "نوع فعالیت",
    "شرکت پشتیبان",
    "تاریخ صدور",
    "تاریخ انقضا",
    "شهرستان",
    "شهر",
    "کد پستی",
    "سرپرست خانوار زن",
    "دارای معلولیت",
]


def expected_rows() -> list[list[str]]:
    glim = Category.objects.get(code="1002")
    bread = Category.objects.get(code="2001")
    return [
        [
            "1404000001",
            "334107653877",
            "0166131865",
            "مریم",
            "احمدی",
            "زن",
            "09909486738",
            "گلیم مریم",
            "1002",
            glim.title_fa,
            glim.group.name_fa,
            "کارمزدی",
            "شرکت هنر لر",
            "1404/07/15",
            "1406/12/29",
            "چگنی",
            "سراب دوره",
            "5151117772",
            "بله",
            "خیر",
        ],
        [
            "1404000002",
            "",
            "0499370899",
            "بهمن",
            "دالوند",
            "مرد",
            "09359729027",
            "نان محلی",
            "2001",
            bread.title_fa,
            bread.group.name_fa,
            "مستقل",
            "",
            "1403/01/01",
            "1405/10/11",
            "خرم‌آباد",
            "",
            "",
            "خیر",
            "بله",
        ],
    ]


def test_export_csv_has_bom_and_exact_rows(province_client):
    export_vendors()

    response = province_client.get(f"{DIRECTORY}export.csv")
    body = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="vendors-')
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [HEADER, *expected_rows()]


def test_export_csv_follows_the_filters(province_client):
    export_vendors()

    response = province_client.get(f"{DIRECTORY}export.csv", {"county": "khorramabad"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert rows == [HEADER, expected_rows()[1]]


def test_export_xlsx_is_rtl_with_exact_rows(province_client):
    from openpyxl import load_workbook

    export_vendors()

    response = province_client.get(f"{DIRECTORY}export.xlsx", {"q": "۰۹"})
    workbook = load_workbook(io.BytesIO(response.content), read_only=False)
    sheet = workbook.active

    assert response.status_code == 200
    assert sheet.sheet_view.rightToLeft is True
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows == [HEADER, *expected_rows()]


def test_export_county_organiser_gets_only_own_county():
    export_vendors()
    client = signed_in(factories.county_organiser("chegeni"))

    response = client.get(f"{DIRECTORY}export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert rows == [HEADER, expected_rows()[0]]


def test_export_unknown_format_is_404(province_client):
    assert province_client.get(f"{DIRECTORY}export.pdf").status_code == 404


def test_directory_in_english_keeps_ascii_digits(province_client):
    vendor = factories.vendor(tracking_code="1404000123")

    html = province_client.get(f"/en{DIRECTORY}").content.decode()
    detail = province_client.get(f"/en{DIRECTORY}{vendor.pk}/").content.decode()

    assert '<p class="count">1 vendor</p>' in html
    assert "Tracking code 1404000123" in html
    assert "<dd>1404000123</dd>" in detail


def test_exports_keep_a_formula_looking_name_as_text(province_client):
    from openpyxl import load_workbook

    factories.vendor(business_name='=HYPERLINK("http://example.com","x")')

    csv_body = b"".join(province_client.get(f"{DIRECTORY}export.csv").streaming_content).decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(province_client.get(f"{DIRECTORY}export.xlsx").content)).active

    assert list(csv.reader(io.StringIO(csv_body)))[1][7] == '\'=HYPERLINK("http://example.com","x")'
    assert sheet["H2"].data_type == "s"
    assert sheet["H2"].value == '=HYPERLINK("http://example.com","x")'


@pytest.mark.django_db
def test_directory_category_filter_reads_its_codes_in_the_pages_digits(province_client):
    import re

    category = Category.objects.order_by("code").first()
    persian = province_client.get("/organiser/vendors/").content.decode()
    english = province_client.get("/en/organiser/vendors/").content.decode()
    option = rf'<option value="{re.escape(category.code)}"[^>]*>(.*?)</option>'
    from bazaarche.text import to_persian_digits

    assert re.search(option, persian).group(1) == f"{to_persian_digits(category.code)} {category.title_fa}"
    assert re.search(option, english).group(1).startswith(f"{category.code} ")
