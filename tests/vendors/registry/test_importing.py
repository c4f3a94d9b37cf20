"""The registry import as a whole: the sample file, dry, plain and strict runs, batches, updates."""

import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bazaarche.text import fold, to_persian_digits
from tests import factories
from tests.vendors.registry.helpers import (
    DATA,
    EXPECT,
    KEYS,
    SAMPLE,
    csv_bytes,
    make_row,
    rejections,
    report_rows,
    run,
    sample_as_xlsx,
    snapshot,
)
from vendors.models import SupportCompany, Vendor
from vendors.registry.importing import import_registry
from vendors.registry.reading import count_rows

# --- the sample file ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_registry_sample_rejects_exactly_the_expected_rows():
    summary = import_registry(SAMPLE)
    assert rejections(summary) == EXPECT["rejected"]
    assert (summary.rows, summary.created, summary.updated, summary.unchanged, summary.rejected) == (
        EXPECT["rows"],
        EXPECT["imported"],
        0,
        0,
        4,
    )
    assert summary.written is True
    assert summary.exit_code == 1
    assert sorted(Vendor.objects.values_list("tracking_code", flat=True)) == sorted(
        EXPECT["tracking_codes_good"]
    )


@pytest.mark.django_db
def test_import_registry_sample_tricky_rows_are_stored_normalised():
    import_registry(SAMPLE)
    arabic = Vendor.objects.get(tracking_code="1404079190")  # row 12: Arabic-Indic digits
    assert (arabic.national_id, arabic.mobile, arabic.permit_expires) == (
        "8887180334",
        "09161639893",
        datetime.date(2026, 11, 23),
    )
    persian = Vendor.objects.get(tracking_code="1404118785")  # row 17: Persian digits
    assert (persian.national_id, persian.mobile, persian.permit_issued) == (
        "2650201460",
        "09161417420",
        datetime.date(2025, 12, 1),
    )
    assert persian.support_company.name == "شرکت هنر لر"
    chegeni = Vendor.objects.get(tracking_code="1404000000")
    assert (chegeni.county.slug, chegeni.business_name, chegeni.permit_type) == (
        "chegeni",
        "مریم رحیمی",
        "piece_rate",
    )
    assert SupportCompany.objects.count() == 3


@pytest.mark.django_db
def test_import_registry_sample_again_changes_nothing():
    import_registry(SAMPLE)
    before = snapshot()
    summary = import_registry(SAMPLE)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (0, 0, 36, 4)
    assert snapshot() == before


@pytest.mark.django_db
def test_import_registry_strict_with_rejections_writes_nothing():
    summary = import_registry(SAMPLE, strict=True)
    assert (summary.written, summary.exit_code, summary.created, summary.rejected) == (False, 1, 36, 4)
    assert rejections(summary) == EXPECT["rejected"]
    assert (Vendor.objects.count(), SupportCompany.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_import_registry_strict_without_rejections_writes_everything():
    rows = [make_row(n) for n in range(1, 6)]
    summary = run(csv_bytes(rows), strict=True, batch_size=2)
    assert (summary.written, summary.exit_code, summary.created) == (True, 0, 5)
    assert Vendor.objects.count() == 5


@pytest.mark.django_db
def test_import_registry_dry_run_gives_the_real_verdicts_and_writes_nothing():
    dry = report_rows(dry_run=True)
    assert (Vendor.objects.count(), SupportCompany.objects.count()) == (0, 0)
    real = report_rows()
    renamed = {"would_create": "created", "would_update": "updated"}
    assert [[*r[:2], renamed.get(r[2], r[2]), *r[3:]] for r in dry] == real


@pytest.mark.django_db
def test_import_registry_small_batches_give_the_same_verdicts_and_report_progress():
    done: list[int] = []
    small = io.StringIO(newline="")
    import_registry(SAMPLE, dry_run=True, batch_size=7, progress=done.append, report=small)
    large = io.StringIO(newline="")
    import_registry(SAMPLE, dry_run=True, report=large)
    assert small.getvalue() == large.getvalue()
    assert done == [7, 14, 21, 28, 35, 40]


@pytest.mark.django_db
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_import_registry_tricky_file_gives_the_expected_verdicts(bom):
    """Odd headers, extra columns, quoted line breaks, aliases, digits, duplicates, a reused mobile."""
    tricky = (DATA / "registry_tricky.csv").read_bytes()
    expect = json.loads((DATA / "registry_tricky.expect.json").read_text(encoding="utf-8"))
    summary = run(bom + tricky)
    assert rejections(summary) == expect["rejected"]
    assert (summary.rows, summary.created) == (expect["rows"], expect["imported"])
    assert sorted(Vendor.objects.values_list("tracking_code", flat=True)) == expect["tracking_codes_good"]
    first = Vendor.objects.get(tracking_code="1404600001")
    assert (first.county.slug, first.address, first.permit_id) == (
        "chegeni",
        "کوچه 1،\nپلاک 2\nطبقه دوم",
        "P-1",
    )
    second = Vendor.objects.get(tracking_code="1404600002")
    assert (second.county.slug, second.national_id, second.mobile, second.first_name) == (
        "poldokhtar",
        "0084575948",
        "09161000002",
        "علی",
    )
    persian = Vendor.objects.get(tracking_code="1404600007")
    assert (persian.permit_issued, persian.permit_type, persian.category.code) == (
        datetime.date(2025, 3, 20),
        "support",
        "5005",
    )


@pytest.mark.django_db
def test_import_registry_xlsx_gives_the_same_verdicts_as_csv(tmp_path):
    xlsx = sample_as_xlsx(tmp_path / "registry.xlsx")
    assert count_rows(xlsx) == 40
    xlsx_summary = import_registry(xlsx)
    assert rejections(xlsx_summary) == EXPECT["rejected"]
    assert xlsx_summary.created == 36
    assert Vendor.objects.get(tracking_code="1404000000").national_id == "0166131865"
    # The CSV says the same about every vendor: nothing to change.
    csv_summary = import_registry(SAMPLE)
    assert (csv_summary.unchanged, csv_summary.rejected) == (36, 4)
    assert [(v.row, v.code, v.reason_en) for v in xlsx_summary.rejected_rows] == [
        (v.row, v.code, v.reason_en) for v in csv_summary.rejected_rows
    ]


@pytest.mark.django_db
def test_import_registry_xlsx_from_a_file_object_and_an_upload(tmp_path):
    data = sample_as_xlsx(tmp_path / "registry.xlsx").read_bytes()
    summary = import_registry(SimpleUploadedFile("export.xlsx", data), dry_run=True)
    assert (summary.created, summary.rejected) == (36, 4)
    summary = run(data, name="export.bin", dry_run=True)  # the content decides, not the name
    assert (summary.created, summary.rejected) == (36, 4)


@pytest.mark.django_db
def test_import_registry_csv_from_an_upload_and_from_a_stream_that_cannot_seek():
    data = csv_bytes([make_row(1), make_row(2, mobile="1")])

    class Pipe(io.RawIOBase):
        def __init__(self):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self.inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    summary = import_registry(SimpleUploadedFile("export.csv", data), dry_run=True)
    assert (summary.created, summary.rejected) == (1, 1)
    summary = import_registry(Pipe(), name="export.csv")
    assert (summary.created, summary.rejected) == (1, 1)


# --- updates --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_registry_updates_by_tracking_code_and_leaves_the_vendors_own_data():
    run(csv_bytes([make_row(1), make_row(2)]))
    account = factories.user(mobile="09170000001")
    Vendor.objects.filter(tracking_code="1404500001").update(user=account, description="گلیم دستباف")
    summary = run(csv_bytes([make_row(1, last_name="کرمی‌پور", mobile="09171111111"), make_row(2)]))
    assert (summary.updated, summary.unchanged, summary.created) == (1, 1, 0)
    vendor = Vendor.objects.get(tracking_code="1404500001")
    assert (vendor.last_name, vendor.mobile, vendor.user, vendor.description) == (
        "کرمی‌پور",
        "09171111111",
        account,
        "گلیم دستباف",
    )
    # Bulk writes store the same search key as Vendor.save().
    stored = vendor.search_text
    vendor.save()
    assert (
        stored
        == vendor.search_text
        == " ".join(
            fold(x)
            for x in (
                "زهرا",
                "کرمی‌پور",
                "کارگاه زهرا 1",
                "1404500001",
                factories.national_id(1),
                "09171111111",
            )
        )
    )
    assert Vendor.objects.count() == 2


@pytest.mark.django_db
def test_import_registry_columns_the_file_lacks_are_left_alone_on_update():
    run(csv_bytes([make_row(1)]))
    keys = [k for k in KEYS if k not in ("address", "business_name", "gender")]
    summary = run(csv_bytes([make_row(1, city="بروجرد")], keys=keys))
    assert summary.updated == 1
    vendor = Vendor.objects.get()
    assert (vendor.city, vendor.address, vendor.business_name, vendor.gender) == (
        "بروجرد",
        "کوچه 1، پلاک 2",
        "کارگاه زهرا 1",
        "F",
    )


@pytest.mark.django_db
def test_import_registry_support_company_is_created_linked_and_renamed():
    piece = {"permit_type": "کارمزدی", "support_company": "شرکت هنر لر", "support_company_id": "10102345673"}
    rows = [make_row(1, **piece), make_row(2, support_company_id="10102345673"), make_row(3)]
    summary = run(csv_bytes(rows))
    assert (summary.created, summary.rejected) == (3, 0)
    company = SupportCompany.objects.get()
    assert (company.national_id, company.name) == ("10102345673", "شرکت هنر لر")
    assert sorted(company.members.values_list("tracking_code", flat=True)) == ["1404500001", "1404500002"]
    summary = run(csv_bytes([make_row(1, **{**piece, "support_company": "شركت هنر لر نو"})]))
    assert summary.unchanged == 1
    assert SupportCompany.objects.get().name == "شرکت هنر لر نو"


FIRST_NAMES = ["مریم", "زهرا", "علي", "فاطمه", "كبری", "ليلا", "معصومه", "بهمن"]
LAST_NAMES = ["رحیمی", "بیرانوند", "کرمی‌پور", "سپهوند", "ملكي", "دالوند"]
COUNTIES = ["خرم‌آباد", "بروجرد", "دورود", "الیگودرز", "ازنا", "کوهدشت", "پلدختر", "پل‌دختر", "دلفان", "سلسله"]
COUNTIES += ["چگنی", "دوره", "رومشکان", "معمولان"]
with open(DATA.parent.parent / "data" / "categories_sample.csv", encoding="utf-8") as _handle:
    CATEGORY_CODES = [row["code"] for row in csv.DictReader(_handle)]


@st.composite
def registry_rows(draw):
    count = draw(st.integers(1, 8))
    codes = draw(st.lists(st.integers(10**9, 10**12), min_size=count, max_size=count, unique=True))
    rows = []
    for index, code in enumerate(codes):
        person = draw(st.integers(1, 5))  # a few people, some with two permits
        year = draw(st.integers(1395, 1404))
        digits = draw(st.sampled_from([str, to_persian_digits]))
        rows.append(
            make_row(
                index,
                tracking_code=digits(str(code)),
                permit_id=draw(st.sampled_from(["", f"P{code}"])),
                national_id=digits(factories.national_id(person)),
                mobile=digits(f"0918{person:07d}"),
                first_name=draw(st.sampled_from(FIRST_NAMES)),
                last_name=draw(st.sampled_from(LAST_NAMES)),
                gender=draw(st.sampled_from(["زن", "مرد", "F", "m", ""])),
                birth_date=draw(st.sampled_from(["", "1350/1/1", "1369/12/29", "۱۳۷۵/۰۶/۳۱"])),
                business_name=draw(st.sampled_from(["", "کارگاه  بهار", "نان\u200cمحلی", "ترشی‌جات"])),
                category_code=draw(st.sampled_from(CATEGORY_CODES)),
                permit_issued=f"{year}/{draw(st.integers(1, 12))}/{draw(st.integers(1, 29))}",
                permit_expires=f"{year + draw(st.integers(1, 5))}/01/01",
                county=draw(st.sampled_from(COUNTIES)),
                address=draw(st.sampled_from(["", "کوچه ۱\nپلاک ۲", "  خیابان   اصلی "])),
                postal_code=draw(st.sampled_from(["", "6813713113"])),
                female_head_of_household=draw(st.sampled_from(["", "بله", "خیر", "1", "no"])),
                disability=draw(st.sampled_from(["", "بله", "خیر", "true"])),
            )
        )
    return rows


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=registry_rows())
def test_import_registry_reimport_of_valid_rows_is_all_unchanged(rows):
    with transaction.atomic():
        data = csv_bytes(rows)
        first = run(data)
        assert (first.rejected, first.created) == (0, len(rows))
        before = snapshot()
        again = run(data)
        assert (again.unchanged, again.created, again.updated, again.rejected) == (len(rows), 0, 0, 0)
        assert snapshot() == before
        transaction.set_rollback(True)
