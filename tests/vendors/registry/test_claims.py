"""The checks across rows: tracking codes, mobiles and permit IDs claimed by another row or vendor."""

import io

import pytest

from tests import factories
from tests.vendors.registry.helpers import csv_bytes, make_row, run
from vendors.models import Vendor
from vendors.registry.importing import import_registry


@pytest.mark.django_db
def test_import_registry_duplicate_tracking_code_first_row_wins():
    rows = [make_row(1), make_row(2), make_row(1, first_name="سارا", mobile="09170000099")]
    summary = run(csv_bytes(rows))
    [verdict] = summary.rejected_rows
    assert (verdict.row, verdict.column, verdict.code) == (4, "tracking_code", "duplicate_tracking_code")
    assert verdict.reason_fa == (
        "کد رهگیری 1404500001 پیش‌تر در ردیف ۲ همین فایل آمده است؛ فقط همان ردیف نخست به کار می‌رود."
    )
    assert Vendor.objects.get(tracking_code="1404500001").first_name == "زهرا"


@pytest.mark.django_db
def test_import_registry_one_person_may_hold_two_permits_with_one_mobile():
    rows = [make_row(1), make_row(2, national_id=factories.national_id(1), mobile="09170000001")]
    summary = run(csv_bytes(rows))
    assert (summary.created, summary.rejected) == (2, 0)


@pytest.mark.django_db
def test_import_registry_mobile_of_another_person_in_the_file_is_rejected():
    rows = [make_row(1), make_row(2, mobile="09170000001")]
    summary = run(csv_bytes(rows))
    [verdict] = summary.rejected_rows
    assert (verdict.row, verdict.column, verdict.code) == (3, "mobile", "mobile_taken")
    assert verdict.reason_en == (
        "The mobile number 09170000001 already belongs to another person (another national ID) earlier in this file."
    )


@pytest.mark.django_db
def test_import_registry_mobile_of_another_person_in_the_database_is_rejected():
    factories.vendor(tracking_code="1404999999", mobile="09170000002", national_id=factories.national_id(77))
    summary = run(csv_bytes([make_row(2)]))
    [verdict] = summary.rejected_rows
    assert (verdict.code, verdict.column) == ("mobile_taken", "mobile")
    assert verdict.reason_fa == (
        "تلفن همراه 09170000002 از آنِ شخص دیگری (با کد ملی دیگری) است که با کد رهگیری 1404999999 ثبت شده است."
    )
    # The same person under another permit may share it.
    summary = run(csv_bytes([make_row(2, national_id=factories.national_id(77))]))
    assert (summary.created, summary.rejected) == (1, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [1, 1000])
def test_import_registry_mobile_moves_to_another_person_when_the_file_changes_the_first_one(batch_size):
    """A number given up by one vendor (whose new row came first) may go to another person."""
    import_registry(io.BytesIO(csv_bytes([make_row(1)])), name="a.csv")
    rows = [make_row(1, mobile="09179999999"), make_row(2, mobile="09170000001")]
    dry = run(csv_bytes(rows), dry_run=True, batch_size=batch_size)
    real = run(csv_bytes(rows), batch_size=batch_size)
    assert (dry.rejected, real.rejected, real.updated, real.created) == (0, 0, 1, 1)


@pytest.mark.django_db
def test_import_registry_permit_id_of_another_tracking_code_is_rejected():
    factories.vendor(tracking_code="1404999999", permit_id="700000000009")
    rows = [make_row(1), make_row(2, permit_id="700000000001"), make_row(3, permit_id="700000000009")]
    summary = run(csv_bytes(rows))
    assert [(v.row, v.column, v.code) for v in summary.rejected_rows] == [
        (3, "permit_id", "duplicate_permit_id"),
        (4, "permit_id", "duplicate_permit_id"),
    ]
    assert summary.rejected_rows[1].reason_en == (
        "The permit ID «700000000009» already belongs to the permit with tracking code 1404999999."
    )
