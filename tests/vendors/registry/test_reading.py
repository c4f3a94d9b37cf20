"""Reading registry files: headers, encodings, separators, XLSX cells, unusable files, giant cells and long files."""

import datetime
import io

import pytest

from bazaarche.text import to_persian_digits
from tests import factories
from tests.vendors.registry.helpers import (
    HEADERS_FA,
    KEYS,
    KINDS,
    SAMPLE,
    as_file,
    csv_bytes,
    make_row,
    run,
    xlsx_bytes,
)
from vendors.models import Vendor
from vendors.registry.importing import import_registry
from vendors.registry.reading import count_rows
from vendors.registry.rejections import UnusableFile


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


# --- giant cells and long files -------------------------------------------------------------------

GIANT = "ب" * 2_000_000  # against a cap of 1,000 characters; a real attack used 200 MB


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
