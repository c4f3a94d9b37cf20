"""Exports that open right in Excel: CSV with a byte-order mark, and right-to-left XLSX, every cell text."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator

from django.utils import timezone

from .jalali import to_jalali_string


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


# Excel runs a CSV cell that starts with one of these as a formula: a business name typed as
# "=HYPERLINK(…)" in the registry must stay text on an organiser's computer.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_chunks(headers: Iterable[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """The CSV text line by line, starting with a byte-order mark so that Excel reads it as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(list(headers))
    for row in rows:
        yield writer.writerow([_csv_safe(value) for value in row])


def xlsx_bytes(sheet_title: str, headers: Iterable[str], rows: Iterable[list[str]]) -> bytes:
    """The rows as a right-to-left XLSX workbook with one sheet, every cell text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.sheet_view.rightToLeft = True
    sheet.freeze_panes = "A2"

    def text(value: str, bold: bool = False) -> WriteOnlyCell:
        # openpyxl stores a string that starts with "=" as a formula; every cell here is text.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        if bold:
            cell.font = Font(bold=True)
        return cell

    sheet.append([text(header, bold=True) for header in headers])
    for row in rows:
        sheet.append([text(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(key: str, extension: str, today: datetime.date | None = None) -> str:
    """`key-1405-09-07.csv`: what the file holds and the Jalali day it was made."""
    stamp = to_jalali_string(today or timezone.localdate()).replace("/", "-")
    return f"{key}-{stamp}.{extension}"
