"""The registry import engine: the sample file, tricky files, every rejection code, re-imports."""

import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bazaarche.text import fold, normalize, to_persian_digits
from tests import factories
from vendors.models import County, Province, SupportCompany, Vendor
from vendors.registry import COLUMNS, UnusableFile, _Memo, count_rows, import_registry

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE = DATA / "registry_sample.csv"
EXPECT = json.loads((DATA / "registry_sample.expect.json").read_text(encoding="utf-8"))
HEADERS_FA = [c.header_fa for c in COLUMNS if c.key not in ("category_title", "category_group")]
KEYS = [c.key for c in COLUMNS if c.key not in ("category_title", "category_group")]
# The imported fields, to compare database states; updated_at shows whether a row was written.
SNAPSHOT_FIELDS = [f.attname for f in Vendor._meta.concrete_fields if f.attname != "id"]


def make_row(n: int = 1, **fields) -> dict[str, str]:
    """A valid registry row (English keys) whose codes, national ID and mobile follow from n."""
    row = {
        "tracking_code": f"{1404500000 + n}",
        "permit_id": f"{700000000000 + n}",
        "national_id": factories.national_id(n),
        "first_name": "زهرا",
        "last_name": f"کرمی {n}",
        "gender": "زن",
        "mobile": f"0917{n:07d}",
        "birth_date": "1360/05/12",
        "business_name": f"کارگاه زهرا {n}",
        "category_code": "1002",
        "permit_type": "مستقل",
        "support_company": "",
        "support_company_id": "",
        "permit_issued": "1402/01/15",
        "permit_expires": "1406/01/15",
        "county": "خرم‌آباد",
        "city": "خرم‌آباد",
        "address": f"کوچه {n}، پلاک ۲",
        "postal_code": "6813713113",
        "female_head_of_household": "خیر",
        "disability": "خیر",
    }
    row.update(fields)
    return row


def csv_bytes(
    rows: list[dict[str, str]], headers: list[str] | None = None, keys: list[str] | None = None, bom=True
):
    keys = keys or KEYS
    headers = headers or [HEADERS_FA[KEYS.index(k)] if k in KEYS else k for k in keys]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(k, "") for k in keys])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def run(data: bytes, name: str = "registry.csv", **options):
    return import_registry(io.BytesIO(data), name=name, **options)


def rejections(summary) -> dict[str, str]:
    return {str(v.row): v.code for v in summary.rejected_rows}


def snapshot() -> list[dict]:
    vendors = list(Vendor.objects.order_by("tracking_code").values(*SNAPSHOT_FIELDS))
    companies = list(SupportCompany.objects.order_by("national_id").values("national_id", "name"))
    return [*vendors, *companies]


def report_rows(**options) -> list[list[str]]:
    out = io.StringIO(newline="")
    import_registry(SAMPLE, report=out, **options)
    return list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))


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


def sample_as_xlsx(path: Path) -> Path:
    """The sample in an XLSX the way Excel would hold it: the numbers typed as numbers."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    with open(SAMPLE, encoding="utf-8-sig", newline="") as handle:
        for number, cells in enumerate(csv.reader(handle)):
            if number:
                # Spreadsheets keep tracking codes, national IDs and postal codes as numbers,
                # dropping the national IDs' leading zeros.
                for index in (0, 2, 18):
                    if cells[index].isascii() and cells[index].isdigit():
                        cells[index] = int(cells[index])
            sheet.append(cells)
    workbook.save(path)
    return path


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


@pytest.mark.django_db
def test_import_registry_xlsx_date_cell_is_refused_as_gregorian(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS_FA)
    row = make_row(1)
    sheet.append([datetime.datetime(2023, 4, 4) if k == "permit_issued" else row[k] for k in KEYS])
    workbook.save(tmp_path / "dates.xlsx")
    summary = import_registry(tmp_path / "dates.xlsx")
    [verdict] = summary.rejected_rows
    assert (verdict.row, verdict.column, verdict.code) == (2, "permit_issued", "bad_jalali")
    assert verdict.reason_en == (
        "«2023-04-04» in «permit issue date» looks like a Gregorian date; registry dates are Jalali, like "
        "1404/07/15. If Excel turned the date into a date cell, format the column as text and type the Jalali date."
    )


def test_count_rows_counts_records_not_lines():
    assert count_rows(SAMPLE) == 40
    data = csv_bytes([make_row(1, address="خط اول\nخط دوم\nخط سوم"), make_row(2)])
    assert count_rows(io.BytesIO(data), name="x.csv") == 2


# --- tricky files ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_registry_headers_match_with_arabic_letters_spaces_zwnj_english_keys_extra_and_reordered():
    keys = ["county", "mobile", "national_id", "tracking_code", "last_name", "first_name"]
    keys += ["permit_expires", "permit_issued", "permit_type", "category_code", "unknown"]
    headers = [
        " شهرستان ",
        "تلفن\u200cهمراه",
        "كد ملي",  # Arabic kaf and yeh
        "Tracking_Code",
        "نام  خانوادگی",
        "first name",
        "تاریخ انقضا",
        "\u200fتاریخ صدور",
        "نوع فعالیت",
        "CATEGORY_CODE",
        "ستونی که نمی‌شناسیم",
    ]
    row = make_row(1, unknown="هرچه")
    summary = run(csv_bytes([row], headers=headers, keys=keys))
    assert (summary.created, summary.rejected) == (1, 0)
    vendor = Vendor.objects.get()
    assert (vendor.tracking_code, vendor.national_id, vendor.mobile, vendor.last_name) == (
        row["tracking_code"],
        row["national_id"],
        row["mobile"],
        "کرمی 1",
    )
    # Columns the file lacks take their defaults.
    assert (vendor.business_name, vendor.gender, vendor.address, vendor.permit_id) == (
        "زهرا کرمی 1",
        "",
        "",
        None,
    )


@pytest.mark.django_db
def test_import_registry_quoted_line_breaks_keep_spreadsheet_row_numbers():
    rows = [
        make_row(1, address="کوچه بهار،\nپلاک ۳\r\n\r\n\r\nطبقه دوم"),
        make_row(2, address='"نشانی", با ویرگول و گیومه'),
        make_row(3, mobile="0912345"),
    ]
    summary = run(csv_bytes(rows))
    assert [(v.row, v.code) for v in summary.rejected_rows] == [(4, "bad_mobile")]
    assert (
        Vendor.objects.get(tracking_code=rows[0]["tracking_code"]).address == "کوچه بهار،\nپلاک 3\n\nطبقه دوم"
    )
    assert Vendor.objects.get(tracking_code=rows[1]["tracking_code"]).address == '"نشانی", با ویرگول و گیومه'


@pytest.mark.django_db
def test_import_registry_blank_lines_are_skipped_but_counted_as_spreadsheet_rows():
    data = (
        csv_bytes([make_row(1)])
        + b"\r\n,,,\r\n"
        + csv_bytes([make_row(2, mobile="123")], bom=False).split(b"\r\n", 1)[1]
    )
    summary = run(data)
    # header 1, first row 2, an empty line 3, a row of empty cells 4, the second row 5
    assert summary.rows == 2
    assert [(v.row, v.code) for v in summary.rejected_rows] == [(5, "bad_mobile")]


@pytest.mark.django_db
def test_import_registry_persian_and_arabic_indic_digits_everywhere():
    row = make_row(
        1,
        tracking_code=to_persian_digits("1404500001"),
        national_id=factories.national_id(1).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
        mobile="۰۹۱۷ ۰۰۰ ۰۰۰۱",
        permit_issued="١٤٠٢/١/١٥",
        permit_expires="۱۴۰۶-۰۱-۱۵",
        postal_code="۶۸۱۳۷۱۳۱۱۳",
        category_code="۱۰۰۲",
        female_head_of_household="بله",
    )
    summary = run(csv_bytes([row]))
    assert (summary.created, summary.rejected) == (1, 0)
    vendor = Vendor.objects.get()
    assert (vendor.tracking_code, vendor.mobile, vendor.postal_code, vendor.category.code) == (
        "1404500001",
        "09170000001",
        "6813713113",
        "1002",
    )
    assert (vendor.permit_issued, vendor.permit_expires, vendor.female_head_of_household) == (
        datetime.date(2023, 4, 4),
        datetime.date(2027, 4, 4),
        True,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("bom", [True, False])
def test_import_registry_utf8_with_and_without_bom(bom):
    summary = run(csv_bytes([make_row(1), make_row(2)], bom=bom))
    assert (summary.created, summary.rejected) == (2, 0)
    assert Vendor.objects.filter(tracking_code="1404500001").exists()


@pytest.mark.django_db
def test_import_registry_semicolon_separated_file_is_read():
    data = csv_bytes([make_row(1)]).decode("utf-8").replace(",", ";").replace("،", ",").encode()
    summary = run(data)
    assert (summary.created, summary.rejected) == (1, 0)


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


# --- unusable files -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "empty.csv", "empty"),
        (b"\r\n\r\n", "blank.csv", "empty"),
        (bytes(range(256)) * 40, "garbage.csv", "not_csv_or_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "not_csv_or_xlsx"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "not_csv_or_xlsx"),
        (b"not a spreadsheet", "text.xlsx", "not_csv_or_xlsx"),
        (",".join(HEADERS_FA).encode("cp1256", errors="replace") + b"\r\n1,2\r\n", "cp1256.csv", "encoding"),
        (",".join(HEADERS_FA).encode("utf-16"), "utf16.csv", "encoding"),
    ],
)
def test_import_registry_unusable_file_is_refused_whole(data, name, code):
    with pytest.raises(UnusableFile) as caught:
        run(data, name=name)
    assert caught.value.code == code
    assert caught.value.message_fa and caught.value.message_en
    assert Vendor.objects.count() == 0


@pytest.mark.django_db
def test_import_registry_header_only_file_is_empty():
    with pytest.raises(UnusableFile) as caught:
        run(csv_bytes([]))
    assert caught.value.code == "empty"
    assert caught.value.message_en == (
        "The file has the column headers but no rows below them. Export the registry list again."
    )


@pytest.mark.django_db
def test_import_registry_missing_required_column_is_named_in_persian():
    keys = [k for k in KEYS if k not in ("national_id", "county")]
    with pytest.raises(UnusableFile) as caught:
        run(csv_bytes([make_row(1)], keys=keys))
    assert caught.value.code == "missing_columns"
    assert caught.value.message_fa == (
        "این ستون‌های لازم در فایل نیست: «کد ملی»، «شهرستان». "
        "سطر اول فایل باید عنوان ستون‌های خروجی سامانه را داشته باشد."
    )


@pytest.mark.django_db
def test_import_registry_unreadable_path():
    with pytest.raises(UnusableFile) as caught:
        import_registry("/nonexistent/registry.csv")
    assert caught.value.code == "unreadable"


@pytest.mark.django_db
def test_import_registry_unclosed_quote_in_a_large_file_is_refused_before_writing():
    good = csv_bytes([make_row(n) for n in range(1, 30)])
    data = good + b'1404600000,"never closed' + b"x" * 140_000
    with pytest.raises(UnusableFile) as caught:
        run(data, batch_size=5)
    assert caught.value.code == "not_csv_or_xlsx"
    assert Vendor.objects.count() == 0


# --- properties -----------------------------------------------------------------------------------

ascii_text = st.text(alphabet=st.characters(max_codepoint=127), max_size=30)


@given(ascii_text)
def test_memo_norm_fast_path_matches_normalize(text):
    assert _Memo().norm(text) == normalize(text)


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


# --- giant cells and long files -------------------------------------------------------------------

GIANT = "ب" * 2_000_000  # against a cap of 1,000 characters; a real attack used 200 MB


def xlsx_bytes(rows: list[dict[str, str]], *, shared: bool = False) -> bytes:
    """The rows as an XLSX, its texts inline (as openpyxl writes them) or in a shared-string table
    (as Excel does). Long values are put into the XML afterwards: openpyxl cuts a cell to 32,767
    characters, a hand-made file does not."""
    import re
    import zipfile
    from xml.sax.saxutils import escape

    from openpyxl import Workbook

    long_values: list[str] = []

    def cell(value: str) -> str:
        if len(value) <= 100:
            return value
        long_values.append(value)
        return f"@@{len(long_values) - 1}@@"

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS_FA)
    for row in rows:
        sheet.append([cell(row[k]) for k in KEYS])
    written = io.BytesIO()
    workbook.save(written)
    parts = {}
    with zipfile.ZipFile(written) as archive:
        for name in archive.namelist():
            parts[name] = archive.read(name).decode("utf-8")
    sheet_xml = re.sub(
        r"@@(\d+)@@", lambda m: escape(long_values[int(m.group(1))]), parts["xl/worksheets/sheet1.xml"]
    )
    if shared:
        strings: list[str] = []

        def to_shared(match):
            strings.append(match.group(2))
            return f'<c r="{match.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

        inline = r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>'
        sheet_xml = re.sub(inline, to_shared, sheet_xml, flags=re.DOTALL)
        parts["xl/sharedStrings.xml"] = (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + "".join(f'<si><t xml:space="preserve">{text}</t></si>' for text in strings)
            + "</sst>"
        )
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
    parts["xl/worksheets/sheet1.xml"] = sheet_xml
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
    return out.getvalue()


KINDS = ["csv", "xlsx", "xlsx-shared"]


def as_file(kind: str, rows: list[dict[str, str]]) -> tuple[bytes, str]:
    if kind == "csv":
        return csv_bytes(rows), "registry.csv"
    return xlsx_bytes(rows, shared=kind == "xlsx-shared"), "registry.xlsx"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("column", "label", "value"),
    [
        ("business_name", "business name", GIANT),
        ("address", "address", GIANT),
        # Quoted, over 500,000 short lines: csv.reader alone would stop at its field limit.
        ("address", "address", "کوچه\n" * 500_000),
        ("first_name", "first name", "x" * 1001),
    ],
)
def test_import_registry_giant_cell_rejects_only_its_row(kind, column, label, value):
    data, name = as_file(kind, [make_row(1), make_row(2, **{column: value}), make_row(3)])
    report = io.StringIO(newline="")

    summary = run(data, name=name, report=report)

    assert (summary.rows, summary.created, summary.rejected) == (3, 2, 1)
    [verdict] = summary.rejected_rows
    assert (verdict.row, verdict.tracking_code, verdict.column, verdict.code) == (
        3,
        "1404500002",
        column,
        "cell_too_long",
    )
    assert verdict.reason_en == (
        f"«{label}» holds more than 1000 characters; no registry field is that long. Check this cell in the file."
    )
    assert verdict.reason_fa == (
        f"«{HEADERS_FA[KEYS.index(column)]}» بیش از ۱۰۰۰ نویسه دارد؛ هیچ ستونی در خروجی سامانه این‌قدر "
        "بلند نیست. این خانه را در فایل بررسی کنید."
    )
    assert sorted(Vendor.objects.values_list("tracking_code", flat=True)) == ["1404500001", "1404500003"]
    assert len(report.getvalue()) < 1000


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_import_registry_giant_tracking_code_is_shortened_in_the_verdict(kind):
    data, name = as_file(kind, [make_row(1, tracking_code="1" * 2_000_000)])

    [verdict] = run(data, name=name, dry_run=True).rejected_rows

    assert (verdict.row, verdict.tracking_code, verdict.column, verdict.code) == (
        2,
        "1" * 57 + "…",
        "tracking_code",
        "cell_too_long",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_import_registry_file_with_too_many_rows_is_refused_whole(kind):
    data, name = as_file(kind, [make_row(n) for n in range(1, 5)])

    with pytest.raises(UnusableFile) as caught:
        run(data, name=name, max_rows=3)

    assert caught.value.code == "too_many_rows"
    assert caught.value.message_en == (
        "The file has more than 3 rows. Split it into files of at most 3 rows and import them one by one."
    )
    assert caught.value.message_fa == (
        "فایل بیش از ۳ ردیف دارد. آن را به فایل‌هایی با حداکثر ۳ ردیف بخش کنید و یکی‌یکی وارد کنید."
    )
    assert Vendor.objects.count() == 0
    with pytest.raises(UnusableFile):
        count_rows(io.BytesIO(data), name=name, max_rows=3)
    assert run(data, name=name, max_rows=4).created == 4


def test_count_rows_of_a_csv_with_giant_and_many_cells():
    data = csv_bytes([make_row(1, address=GIANT), make_row(2)])
    data = data.replace(b"\r\n", b"," * 100_000 + b"\r\n", 1)  # a header row of 100,000 columns
    assert count_rows(io.BytesIO(data), name="x.csv") == 2


@pytest.mark.django_db
def test_import_registry_xlsx_row_past_the_last_excel_row_is_refused():
    import re
    import zipfile

    data = xlsx_bytes([make_row(1), make_row(2)])
    parts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            parts[name] = archive.read(name)
    # Row 3 moved to row 5,000,000: openpyxl would hand over every empty row in between.
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = re.sub(r'r="([A-Z]*)3"', r'r="\g<1>5000000"', sheet).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)

    with pytest.raises(UnusableFile) as caught:
        run(out.getvalue(), name="far.xlsx")

    assert caught.value.code == "not_csv_or_xlsx"
    assert (
        caught.value.message_en
        == "The XLSX file is damaged and cannot be read. Export it from the registry again."
    )
    assert Vendor.objects.count() == 0
