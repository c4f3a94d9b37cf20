"""The import_registry and import_categories commands: output, report file and exit codes."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.vendors.registry.helpers import SAMPLE, csv_bytes, make_row
from vendors.models import Category, CategoryGroup, SupportCompany, Vendor


def call(*args) -> tuple[int, str, str]:
    """Run a command in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


ROW_5 = (
    "ردیف ۵ (تاریخ صدور): «1404/12/30» در ستون «تاریخ صدور» تاریخ شمسی درستی نیست؛ تاریخ را مانند "
    "۱۴۰۴/۰۷/۱۵ بنویسید. / Row 5 (permit_issued): «1404/12/30» in «permit issue date» is not a real "
    "Jalali date; write it like 1404/07/15."
)


@pytest.mark.django_db
def test_import_registry_command_sample_lists_rejected_rows_and_exits_1():
    code, out, err = call("import_registry", str(SAMPLE))
    lines = out.splitlines()
    assert (code, err, len(lines)) == (1, "", 5)
    assert [line.split(" ", 2)[1] for line in lines[:4]] == ["۳", "۵", "۲۳", "۴۰"]
    assert lines[1] == ROW_5
    assert lines[4] == (
        "ردیف‌ها: ۴۰؛ افزوده: ۳۶؛ به‌روزشده: ۰؛ بدون تغییر: ۰؛ ردشده: ۴. / "
        "Rows: 40; created: 36; updated: 0; unchanged: 0; rejected: 4."
    )
    assert Vendor.objects.count() == 36


@pytest.mark.django_db
def test_import_registry_command_strict_writes_nothing_and_exits_1():
    code, out, _ = call("import_registry", str(SAMPLE), "--strict")
    assert code == 1
    assert out.splitlines()[-1] == (
        "چیزی ذخیره نشد (--strict)، چون ردیف‌هایی رد شدند. ردیف‌ها: ۴۰؛ افزودنی: ۳۶؛ به‌روزکردنی: ۰؛ "
        "بدون تغییر: ۰؛ ردشده: ۴. / Nothing was saved (--strict), because rows were rejected. Rows: 40; "
        "would be created: 36; would be updated: 0; unchanged: 0; rejected: 4."
    )
    assert (Vendor.objects.count(), SupportCompany.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_import_registry_command_dry_run_writes_nothing():
    code, out, _ = call("import_registry", str(SAMPLE), "--dry-run")
    assert code == 1
    assert out.splitlines()[-1].endswith(
        "Dry run, nothing was saved. Rows: 40; would be created: 36; would be updated: 0; unchanged: 0; rejected: 4."
    )
    assert Vendor.objects.count() == 0


@pytest.mark.django_db
def test_import_registry_command_all_good_exits_0(tmp_path):
    path = tmp_path / "good.csv"
    path.write_bytes(csv_bytes([make_row(1), make_row(2)]))
    code, out, err = call("import_registry", str(path))
    assert (code, err) == (0, "")
    assert out == (
        "ردیف‌ها: ۲؛ افزوده: ۲؛ به‌روزشده: ۰؛ بدون تغییر: ۰؛ ردشده: ۰. / "
        "Rows: 2; created: 2; updated: 0; unchanged: 0; rejected: 0.\n"
    )
    code, out, _ = call("import_registry", str(path))
    assert (code, out.endswith("Rows: 2; created: 0; updated: 0; unchanged: 2; rejected: 0.\n")) == (0, True)


@pytest.mark.django_db
def test_import_registry_command_report_lists_every_row(tmp_path):
    path = tmp_path / "small.csv"
    path.write_bytes(csv_bytes([make_row(1), make_row(2, mobile="0912345"), make_row(1)]))
    report = tmp_path / "report.csv"
    code, _, _ = call("import_registry", str(path), "--report", str(report))
    assert code == 1
    assert report.read_bytes().decode("utf-8") == (
        "\ufeffrow,tracking_code,action,column,code,reason_fa,reason_en\r\n"
        "2,1404500001,created,,,,\r\n"
        "3,1404500002,rejected,mobile,bad_mobile,"
        "تلفن همراه «0912345» معتبر نیست؛ شماره باید مانند ۰۹۱۲۱۲۳۴۵۶۷ باشد.,"
        "The mobile number «0912345» is not valid; write it like 09121234567.\r\n"
        "4,1404500001,rejected,tracking_code,duplicate_tracking_code,"
        "کد رهگیری 1404500001 پیش‌تر در ردیف ۲ همین فایل آمده است؛ فقط همان ردیف نخست به کار می‌رود.,"
        "The tracking code 1404500001 already appears in row 2 of this file; only that first row is used.\r\n"
    )


@pytest.mark.django_db
def test_import_registry_command_strict_report_has_the_rows_and_one_bom(tmp_path):
    path = tmp_path / "small.csv"
    path.write_bytes(csv_bytes([make_row(1), make_row(2, mobile="0912345")]))
    report = tmp_path / "report.csv"
    code, _, _ = call("import_registry", str(path), "--strict", "--report", str(report))
    assert code == 1
    assert report.read_bytes().decode("utf-8").splitlines()[:2] == [
        "\ufeffrow,tracking_code,action,column,code,reason_fa,reason_en",
        "2,1404500001,would_create,,,,",
    ]


@pytest.mark.django_db
def test_import_registry_command_missing_column_exits_2_and_names_it(tmp_path):
    path = tmp_path / "no_mobile.csv"
    keys = ["tracking_code", "national_id", "first_name", "last_name", "category_code"]
    path.write_bytes(csv_bytes([make_row(1)], keys=keys))
    code, out, err = call("import_registry", str(path))
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == (
        "این ستون‌های لازم در فایل نیست: «تلفن همراه»، «نوع فعالیت»، «تاریخ صدور»، «تاریخ انقضا»، «شهرستان». "
        "سطر اول فایل باید عنوان ستون‌های خروجی سامانه را داشته باشد."
    )
    assert Vendor.objects.count() == 0


@pytest.mark.django_db
def test_import_registry_command_binary_garbage_exits_2(tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(os.urandom(4096) + b"\x00")
    code, out, err = call("import_registry", str(path))
    assert (code, out) == (2, "")
    assert err.splitlines()[1] == (
        "This is not a CSV or XLSX file. Export the registry list again, or save it from Excel as «CSV UTF-8» or XLSX."
    )


def test_import_registry_command_real_exit_codes(tmp_path):
    """The process exit code itself, on a fresh SQLite database of its own."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([make_row(1)]))
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x00\x01\x02" * 100)
    codes = [
        subprocess.run([*manage, "import_registry", str(path)], env=env, capture_output=True).returncode
        for path in (good, SAMPLE, garbage)
    ]
    assert codes == [0, 1, 2]


# --- import_categories ----------------------------------------------------------------------------

CATEGORIES_CSV = (
    "code,title_fa,group_fa,group_en,starred,title_en\r\n"
    "1001,قالیبافی,صنایع دستی,Handicrafts,no,Carpet weaving\r\n"  # exists: gains an English title
    "1002,گلیم‌بافی,صنایع دستی,Handicrafts,no,\r\n"  # exists, unchanged
    "9001,عروسک‌سازی,اسباب‌بازی,Toys,بله,Doll making\r\n"  # new, in a new group
)


@pytest.mark.django_db
def test_import_categories_command_creates_and_updates_idempotently(tmp_path):
    path = tmp_path / "categories.csv"
    path.write_text(CATEGORIES_CSV, encoding="utf-8")
    code, out, _ = call("import_categories", str(path))
    assert code == 0
    assert out == (
        "رسته‌های افزوده: ۱؛ به‌روزشده: ۱؛ بدون تغییر: ۱؛ ردشده: ۰. / "
        "Categories created: 1; updated: 1; unchanged: 1; rejected: 0.\n"
    )
    doll = Category.objects.get(code="9001")
    assert (doll.title_fa, doll.title_en, doll.starred, doll.group.slug) == (
        "عروسک‌سازی",
        "Doll making",
        True,
        "toys",
    )
    assert Category.objects.get(code="1001").title_en == "Carpet weaving"
    code, out, _ = call("import_categories", str(path))
    assert out.endswith("Categories created: 0; updated: 0; unchanged: 3; rejected: 0.\n")
    assert CategoryGroup.objects.filter(name_fa="اسباب‌بازی").count() == 1


@pytest.mark.django_db
def test_import_categories_command_reads_xlsx(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    for line in CATEGORIES_CSV.splitlines():
        workbook.active.append([int(c) if c.isdigit() else c for c in line.split(",")])
    workbook.save(tmp_path / "categories.xlsx")
    code, out, _ = call("import_categories", str(tmp_path / "categories.xlsx"))
    assert (code, out.endswith("Categories created: 1; updated: 1; unchanged: 1; rejected: 0.\n")) == (
        0,
        True,
    )


@pytest.mark.django_db
def test_import_categories_command_rejects_bad_rows_and_exits_1(tmp_path):
    path = tmp_path / "categories.csv"
    path.write_text(
        "code,title_fa,group_fa,starred\r\n9002,,صنایع دستی,no\r\n9003,سفال,صنایع دستی,شاید\r\n9004,سفال,صنایع دستی,\r\n",
        encoding="utf-8",
    )
    code, out, _ = call("import_categories", str(path))
    assert code == 1
    assert out.splitlines()[:2] == [
        "ردیف ۲: ستون «عنوان رسته» خالی است؛ این ستون در هر ردیف لازم است. / Row 2: «Persian title» is empty; "
        "every row needs it.",
        "ردیف ۳: «شاید» در ستون «ستاره‌دار» بله یا خیر نیست؛ «بله» یا «خیر» بنویسید. / Row 3: «شاید» in "
        "«starred» is not a yes or no; write بله or خیر.",
    ]
    assert Category.objects.filter(code__in=["9002", "9003", "9004"]).count() == 1


@pytest.mark.django_db
def test_import_categories_command_missing_column_exits_2(tmp_path):
    path = tmp_path / "categories.csv"
    path.write_text("code,title_fa\r\n9001,سفال\r\n", encoding="utf-8")
    code, _, err = call("import_categories", str(path))
    assert code == 2
    assert err.splitlines()[0].startswith("این ستون‌های لازم در فایل نیست: «گروه رسته».")


@pytest.mark.django_db
def test_import_registry_command_prints_every_rejected_row_even_past_a_thousand(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([make_row(n, mobile="123") for n in range(1, 1006)]))
    code, out, _ = call("import_registry", str(path))
    lines = out.splitlines()
    assert (code, len(lines)) == (1, 1006)
    assert lines[1004].startswith("ردیف ۱۰۰۶ (تلفن همراه): ")
    assert lines[-1].endswith("Rows: 1005; created: 0; updated: 0; unchanged: 0; rejected: 1005.")


@pytest.mark.django_db
def test_import_registry_command_report_keeps_a_formula_as_text(tmp_path):
    path = tmp_path / "evil.csv"
    formula = '=HYPERLINK("http://evil.example/t","x")'
    path.write_bytes(csv_bytes([make_row(1, tracking_code=formula), make_row(2, tracking_code="+98")]))
    report = tmp_path / "report.csv"

    code, _, _ = call("import_registry", str(path), "--report", str(report))

    assert code == 1
    lines = report.read_bytes().decode("utf-8").splitlines()
    assert lines[1].split(",rejected,")[0] == '2,"\'=HYPERLINK(""http://evil.example/t"",""x"")"'
    assert lines[2].split(",rejected,")[0] == "3,'+98"
