"""One row's own checks: counties, national IDs, every rejection code and its reasons, the normalisation cache."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bazaarche.text import normalize
from tests.vendors.registry.helpers import csv_bytes, make_row, run
from vendors.models import County, Province, Vendor
from vendors.registry.checks import Memo


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("county", "slug"),
    [
        ("دوره", "chegeni"),
        ("پل‌دختر", "poldokhtar"),
        ("پل دختر", "poldokhtar"),
        ("Kuhdasht", "kuhdasht"),
        ("شهرستان معمولان", "mamulan"),
        ("خرم آباد", "khorramabad"),
    ],
)
def test_import_registry_county_by_old_name_alias_or_english_name(county, slug):
    summary = run(csv_bytes([make_row(1, county=county)]))
    assert summary.rejected == 0
    assert Vendor.objects.get().county.slug == slug


@pytest.mark.django_db
def test_import_registry_county_name_shared_by_two_provinces_is_refused():
    other = Province.objects.create(slug="hamedan", name_fa="همدان")
    County.objects.create(province=other, slug="delfan-hamedan", name_fa="دلفان")
    summary = run(csv_bytes([make_row(1, county="دلفان"), make_row(2, county="Delfan")]))
    [verdict] = summary.rejected_rows
    assert (verdict.row, verdict.code) == (2, "unknown_county")
    assert (
        verdict.reason_en
        == "«دلفان» is the name of more than one county; write the county's current full name."
    )
    assert Vendor.objects.get().county.slug == "delfan"


@pytest.mark.django_db
def test_import_registry_eight_digit_national_id_is_left_padded():
    row = make_row(1, national_id="84575948")
    summary = run(csv_bytes([row]))
    assert summary.rejected == 0
    assert Vendor.objects.get().national_id == "0084575948"


# Each rejection code, with the column it names.
REJECTIONS = [
    ({"tracking_code": ""}, "tracking_code", "missing_tracking_code"),
    ({"tracking_code": "14045"}, "tracking_code", "bad_tracking_code"),
    ({"national_id": "1111111111"}, "national_id", "bad_national_id"),
    ({"first_name": " \u200c "}, "first_name", "missing_first_name"),
    ({"first_name": "ز" * 101}, "first_name", "too_long"),
    ({"gender": "نامعلوم"}, "gender", "bad_gender"),
    ({"mobile": ""}, "mobile", "missing_mobile"),
    ({"mobile": "09123"}, "mobile", "bad_mobile"),
    ({"birth_date": "1360/13/01"}, "birth_date", "bad_jalali"),
    ({"category_code": "9999"}, "category_code", "unknown_category"),
    ({"permit_type": "دولتی"}, "permit_type", "bad_permit_type"),
    ({"permit_type": "کارمزدی"}, "support_company", "missing_support_company"),
    ({"permit_type": "کارمزدی", "support_company": "شرکت"}, "support_company_id", "missing_support_company"),
    ({"support_company_id": "10102345673"}, "support_company", "missing_support_company"),
    ({"support_company_id": "123"}, "support_company_id", "bad_company_id"),
    ({"permit_issued": "2023/04/04"}, "permit_issued", "bad_jalali"),
    ({"permit_expires": ""}, "permit_expires", "missing_permit_expires"),
    ({"permit_expires": "1402/01/15"}, "permit_expires", "expires_before_issue"),
    ({"county": "تهران"}, "county", "unknown_county"),
    ({"postal_code": "12345"}, "postal_code", "bad_postal_code"),
    ({"female_head_of_household": "شاید"}, "female_head_of_household", "bad_yes_no"),
    ({"disability": "2"}, "disability", "bad_yes_no"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "column", "code"), REJECTIONS)
def test_import_registry_rejects_a_bad_row_whole(fields, column, code):
    summary = run(csv_bytes([make_row(1, **fields), make_row(2)]))
    [verdict] = summary.rejected_rows
    assert (verdict.row, verdict.column, verdict.code) == (2, column, code)
    assert verdict.reason_fa and verdict.reason_en
    assert list(Vendor.objects.values_list("tracking_code", flat=True)) == ["1404500002"]


@pytest.mark.django_db
def test_import_registry_reasons_say_what_is_wrong_in_persian_and_english():
    summary = run(csv_bytes([make_row(1, mobile="0912345"), make_row(2, last_name="")]))
    first, second = summary.rejected_rows
    assert first.reason_fa == "تلفن همراه «0912345» معتبر نیست؛ شماره باید مانند ۰۹۱۲۱۲۳۴۵۶۷ باشد."
    assert first.reason_en == "The mobile number «0912345» is not valid; write it like 09121234567."
    assert second.reason_fa == "ستون «نام خانوادگی» خالی است؛ این ستون در هر ردیف لازم است."
    assert second.reason_en == "«last name» is empty; every row needs it."


# --- properties -----------------------------------------------------------------------------------

ascii_text = st.text(alphabet=st.characters(max_codepoint=127), max_size=30)


@given(ascii_text)
def test_memo_norm_fast_path_matches_normalize(text):
    assert Memo().norm(text) == normalize(text)
