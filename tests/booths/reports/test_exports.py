"""CSV and XLSX exports of applications, assignments and admissions: Persian, Jalali, scoped, read back."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from bazaarche.jalali import to_jalali_string
from booths.models import Admission, Pass
from booths.reports import exports
from tests import factories
from tests.booths.reports.dashboard_data import grow, scenario

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # Excel reads the file as UTF-8 only with the BOM
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(response):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    return sheet, [
        [cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)
    ]


def test_applications_csv_reads_back_with_persian_headers_and_jalali_days():
    s = scenario()
    d2, d1 = s.today - datetime.timedelta(days=2), s.today - datetime.timedelta(days=1)
    response = _client(factories.provincial_organiser()).get(
        reverse("dashboard-export", args=["applications", "csv"])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    stamp = to_jalali_string(s.today).replace("/", "-")
    assert response["Content-Disposition"] == f'attachment; filename="applications-{stamp}.csv"'
    rows = _csv(response)
    assert rows[0] == list(exports.EXPORTS["applications"].headers)
    assert len(rows) == 1 + 5
    by_business = {row[6]: row for row in rows[1:]}
    zagros = by_business["گلیم زاگرس"]
    assert zagros == [
        "نمایشگاه پاییزه مشاغل خانگی", "بازارچه خرم‌آباد", "خرم‌آباد", zagros[3], "زهرا", "دالوند", "گلیم زاگرس",
        "خرم‌آباد", "1002", "صنایع دستی", "پذیرفته", "2", "2",
        f"{to_jalali_string(d2)}، {to_jalali_string(d1)}", "2", to_jalali_string(s.today),
    ]  # fmt: skip
    # A name that Excel would run as a formula stays text.
    assert "'=کارگاه دورود" in by_business


def test_exports_are_scoped_to_a_county_organisers_county():
    scenario()
    client = _client(factories.county_organiser("khorramabad"))
    for kind, expected in (("applications", 3), ("assignments", 3), ("admissions", 3)):
        rows = _csv(client.get(reverse("dashboard-export", args=[kind, "csv"])))
        assert len(rows) - 1 == expected, kind
        assert not any("بروجرد" in cell for row in rows[1:] for cell in row), kind


def test_assignments_xlsx_is_right_to_left_text_with_jalali_dates():
    s = scenario()
    d2 = s.today - datetime.timedelta(days=2)
    response = _client(factories.provincial_organiser()).get(
        reverse("dashboard-export", args=["assignments", "xlsx"]), {"site": "kh"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet, rows = _xlsx(response)
    assert sheet.title == "تخصیص غرفه‌ها"
    assert sheet.sheet_view.rightToLeft is True
    assert rows[0] == list(exports.EXPORTS["assignments"].headers)
    assert [row[:5] for row in rows[1:]] == [
        [to_jalali_string(d2), "بازارچه خرم‌آباد", "خرم‌آباد", "سالن اصلی", "A-1"],
        [to_jalali_string(d2), "بازارچه خرم‌آباد", "خرم‌آباد", "سالن اصلی", "A-2"],
        [to_jalali_string(d2 + datetime.timedelta(days=1)), "بازارچه خرم‌آباد", "خرم‌آباد", "سالن اصلی", "A-1"],
    ]
    assert rows[2][8] == "=کارگاه دورود"  # text, not a formula
    assert sheet.cell(row=3, column=9).data_type == "s"


def test_admissions_export_lists_every_scan_with_its_result_in_persian():
    s = scenario()
    d2 = s.today - datetime.timedelta(days=2)
    rows = _csv(
        _client(factories.provincial_organiser()).get(reverse("dashboard-export", args=["admissions", "csv"]))
    )
    with translation.override("fa"):
        admitted, again = str(Admission.Result.ADMITTED.label), str(Admission.Result.ALREADY_ADMITTED.label)
        vendor, helper = str(Pass.Holder.VENDOR.label), str(Pass.Holder.HELPER.label)
    assert admitted != "Admitted"  # the catalogue has it in Persian
    assert [row[:2] + row[4:6] + [row[8]] for row in rows[1:]] == [
        [to_jalali_string(d2), "10:30", admitted, vendor, "گلیم زاگرس"],
        [to_jalali_string(d2), "11:30", again, vendor, "گلیم زاگرس"],
        [to_jalali_string(d2), "15:30", admitted, helper, "'=کارگاه دورود"],
    ]


def test_export_refuses_unknown_kinds_and_formats():
    client = _client(factories.provincial_organiser())
    assert client.get("/organiser/dashboard/vendors.csv").status_code == 404
    assert client.get("/organiser/dashboard/applications.pdf").status_code == 404


def test_export_query_count_does_not_grow_with_rows():
    s = scenario()
    client = _client(factories.provincial_organiser())

    def count(kind: str) -> int:
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("dashboard-export", args=[kind, "csv"]))
            b"".join(response.streaming_content)
        return len(context.captured_queries)

    few = {kind: count(kind) for kind in exports.EXPORTS}
    grow(s.khorramabad, s.booths["kh"], 30, s.today)
    assert {kind: count(kind) for kind in exports.EXPORTS} == few
