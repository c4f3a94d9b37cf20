"""Import of the home-jobs registry export (CSV or XLSX) into vendors: check every row, report, write.

The format is REGISTRY_FORMAT.md: one row per permit, identified by its tracking code. The same
function serves the `import_registry` command and the organisers' upload page. It streams the
file in batches of rows: each batch is checked (every cell normalised first, then validated),
looked up in the database with a few queries and written in one transaction. What the earlier
rows of the file claimed (tracking codes, permit IDs, mobiles), needed to find clashes across
the whole file, is kept in a scratch SQLite file, so memory stays flat however long the file is.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import io
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, reset_queries, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from bazaarche.jalali import parse_jalali
from bazaarche.spreadsheets import BoundedCsvLines, CsvWriter, TooManyStrings, load_xlsx
from bazaarche.text import fold, normalize, normalize_multiline, to_persian_digits
from bazaarche.validators import (
    clean_company_id,
    clean_mobile,
    clean_national_id,
    clean_postal_code,
    clean_tracking_code,
)

# How many rejected verdicts ImportSummary keeps in memory; all of them are counted and reported.
KEEP_REJECTED = 1000
# The longest cell read. The longest registry field holds 200 characters (a business or company
# name) and a real address a few hundred; a longer cell is a paste gone wrong or an attack, and
# its row is refused. Cells are cut to one character more while the file is read, so a giant
# cell never reaches memory whole (CSV, XLSX shared strings) or only once (XLSX inline strings).
MAX_CELL_CHARS = 1000
MAX_COLUMNS = 200  # cells read per row; the registry has 23 columns, the rest are ignored anyway
# Rows of one file: twice the 100,000 rows an import is benchmarked at (under a minute), and more
# than the registry holds for a whole province. A longer export is split into several files.
MAX_ROWS = 200_000
XLSX_LAST_ROW = 1_048_576  # Excel's last row
MAX_STRINGS_PER_ROW = 50  # an XLSX's table of distinct texts, at most this many per allowed row
# How much of a value a reason or a verdict repeats.
SHOWN_VALUE_CHARS = 60
REPORT_COLUMNS = ("row", "tracking_code", "action", "column", "code", "reason_fa", "reason_en")


@dataclass(frozen=True)
class Column:
    key: str
    header_fa: str
    label_en: str
    required: bool = False
    max_length: int | None = None


# In the order of REGISTRY_FORMAT.md; a row's errors are looked for in this order and the first is reported.
COLUMNS: tuple[Column, ...] = (
    Column("tracking_code", "کد رهگیری", "tracking code", required=True),
    Column("permit_id", "شناسه یکتا مجوز", "permit unique ID", max_length=30),
    Column("national_id", "کد ملی", "national ID", required=True),
    Column("first_name", "نام", "first name", required=True, max_length=100),
    Column("last_name", "نام خانوادگی", "last name", required=True, max_length=100),
    Column("gender", "جنسیت", "gender"),
    Column("mobile", "تلفن همراه", "mobile", required=True),
    Column("birth_date", "تاریخ تولد", "birth date"),
    Column("business_name", "نام کسب‌وکار", "business name", max_length=200),
    Column("category_code", "کد رسته", "category code", required=True),
    Column("category_title", "عنوان رسته", "category title"),
    Column("category_group", "گروه رسته", "category group"),
    Column("permit_type", "نوع فعالیت", "permit type", required=True),
    Column("support_company", "شرکت پشتیبان", "support company", max_length=200),
    Column("support_company_id", "شناسه ملی شرکت پشتیبان", "support company's national ID"),
    Column("permit_issued", "تاریخ صدور", "permit issue date", required=True),
    Column("permit_expires", "تاریخ انقضا", "permit expiry date", required=True),
    Column("county", "شهرستان", "county", required=True),
    Column("city", "شهر", "city", max_length=100),
    Column("address", "نشانی", "address"),
    Column("postal_code", "کد پستی", "postal code"),
    Column("female_head_of_household", "سرپرست خانوار زن", "female head of household"),
    Column("disability", "دارای معلولیت", "disability"),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}

# Which Vendor field each column fills (columns that are only informative fill none).
FIELD_OF_COLUMN = {
    "tracking_code": "tracking_code",
    "permit_id": "permit_id",
    "national_id": "national_id",
    "first_name": "first_name",
    "last_name": "last_name",
    "gender": "gender",
    "mobile": "mobile",
    "birth_date": "birth_date",
    "business_name": "business_name",
    "category_code": "category_id",
    "permit_type": "permit_type",
    "support_company": "support_company_id",
    "support_company_id": "support_company_id",
    "permit_issued": "permit_issued",
    "permit_expires": "permit_expires",
    "county": "county_id",
    "city": "city",
    "address": "address",
    "postal_code": "postal_code",
    "female_head_of_household": "female_head_of_household",
    "disability": "disability",
}
# Vendor.save() builds search_text from these, in this order.
SEARCH_FIELDS = ("first_name", "last_name", "business_name", "tracking_code", "national_id", "mobile")

_GENDERS = {"زن": "F", "خانم": "F", "f": "F", "female": "F", "مرد": "M", "اقا": "M", "m": "M", "male": "M"}
_PERMIT_TYPES = {
    "مستقل": "independent",
    "independent": "independent",
    "پشتیبان": "support",
    "شرکتپشتیبان": "support",
    "support": "support",
    "supportcompany": "support",
    "کارمزدی": "piece_rate",
    "piecerate": "piece_rate",
}
_YES = {"بله", "اری", "دارد", "yes", "y", "1", "true"}
_NO = {"خیر", "نه", "ندارد", "no", "n", "0", "false"}

# Reason messages, one per situation; several situations may share a code. The English msgid is
# in the catalogue, so the Persian wording is decided there. %(column)s is the Persian header in
# Persian and the English label in English.
MESSAGES = {
    "missing": gettext_noop("«%(column)s» is empty; every row needs it."),
    "too_long": gettext_noop("«%(column)s» is too long: %(length)s characters where at most %(limit)s fit."),
    "cell_too_long": gettext_noop(
        "«%(column)s» holds more than %(limit)s characters; no registry field is that long. "
        "Check this cell in the file."
    ),
    "bad_tracking_code": gettext_noop(
        "The tracking code «%(value)s» is not valid; it must be 8 to 20 digits."
    ),
    "bad_national_id": gettext_noop(
        "The national ID «%(value)s» is not valid; check its 10 digits (the last one is a check digit)."
    ),
    "bad_mobile": gettext_noop("The mobile number «%(value)s» is not valid; write it like 09121234567."),
    "bad_gender": gettext_noop("The gender «%(value)s» is not recognised; write زن or مرد (or F or M)."),
    "bad_jalali": gettext_noop(
        "«%(value)s» in «%(column)s» is not a real Jalali date; write it like 1404/07/15."
    ),
    "bad_jalali_gregorian": gettext_noop(
        "«%(value)s» in «%(column)s» looks like a Gregorian date; registry dates are Jalali, like 1404/07/15. "
        "If Excel turned the date into a date cell, format the column as text and type the Jalali date."
    ),
    "bad_permit_type": gettext_noop(
        "The permit type «%(value)s» is not recognised; write مستقل, پشتیبان or کارمزدی."
    ),
    "missing_support_company_piece_rate": gettext_noop(
        "A piece-rate (کارمزدی) permit needs its support company: «%(column)s» is empty or missing."
    ),
    "missing_support_company_new": gettext_noop(
        "No support company with the national ID %(value)s is known yet, so «%(column)s» must give its name."
    ),
    "bad_company_id": gettext_noop(
        "The support company's national ID «%(value)s» is not valid; it must be 11 digits."
    ),
    "unknown_category": gettext_noop(
        "There is no category with the code «%(value)s»; check the code, or load the category list first."
    ),
    "unknown_county": gettext_noop("«%(value)s» is not one of the counties; write the county's name."),
    "ambiguous_county": gettext_noop(
        "«%(value)s» is the name of more than one county; write the county's current full name."
    ),
    "bad_postal_code": gettext_noop("The postal code «%(value)s» is not valid; it must be 10 digits."),
    "bad_yes_no": gettext_noop("«%(value)s» in «%(column)s» is not a yes or no; write بله or خیر."),
    "expires_before_issue": gettext_noop(
        "The permit expires on %(value)s, which is not after its issue date %(issued)s."
    ),
    "duplicate_tracking_code": gettext_noop(
        "The tracking code %(value)s already appears in row %(first_row)s of this file; only that first row is used."
    ),
    "duplicate_permit_id": gettext_noop(
        "The permit ID «%(value)s» already belongs to the permit with tracking code %(other)s."
    ),
    "mobile_taken_file": gettext_noop(
        "The mobile number %(value)s already belongs to another person (another national ID) earlier in this file."
    ),
    "mobile_taken_db": gettext_noop(
        "The mobile number %(value)s already belongs to another person (another national ID), "
        "registered under tracking code %(other)s."
    ),
    "write_conflict": gettext_noop(
        "This row could not be saved because the same vendors were being changed at the same time; "
        "import the file again."
    ),
}

FILE_MESSAGES = {
    "unreadable": gettext_noop("The file could not be opened: %(detail)s"),
    "not_csv_or_xlsx": gettext_noop(
        "This is not a CSV or XLSX file. Export the registry list again, or save it from Excel as «CSV UTF-8» or XLSX."
    ),
    "xls": gettext_noop(
        "This is an old Excel file (.xls). Open it in Excel and save it as XLSX or as «CSV UTF-8»."
    ),
    "broken_xlsx": gettext_noop(
        "The XLSX file is damaged and cannot be read. Export it from the registry again."
    ),
    "broken_csv": gettext_noop(
        "The CSV file cannot be read near row %(row)s: a quoted value is never closed. Export it again."
    ),
    "encoding": gettext_noop(
        "The file is not in UTF-8, so its Persian letters cannot be read. In Excel, save it as «CSV UTF-8»."
    ),
    "utf16": gettext_noop(
        "The file was saved as «Unicode Text» (UTF-16). In Excel, save it as «CSV UTF-8» instead."
    ),
    "empty": gettext_noop("The file is empty. Export the registry list again."),
    "too_many_rows": gettext_noop(
        "The file has more than %(limit)s rows. Split it into files of at most %(limit)s rows and "
        "import them one by one."
    ),
    "header_only": gettext_noop(
        "The file has the column headers but no rows below them. Export the registry list again."
    ),
    "missing_columns": gettext_noop(
        "These required columns are missing: %(columns)s. The first row of the file must hold the "
        "column headers of the registry export."
    ),
}


def _in_both(msgid: str, params_fa: dict[str, Any], params_en: dict[str, Any]) -> tuple[str, str]:
    with translation.override("fa"):
        fa = gettext(msgid) % params_fa
    with translation.override("en"):
        en = gettext(msgid) % params_en
    return fa, en


class UnusableFile(Exception):
    """The whole file cannot be used: nothing is read from it and nothing is written."""

    def __init__(self, code: str, message_key: str | None = None, **params: Any):
        self.code = code
        params_en = dict(params)
        params_fa = {k: to_persian_digits(v) if isinstance(v, int) else v for k, v in params.items()}
        if "columns" in params:
            params_fa["columns"] = "، ".join(f"«{c.header_fa}»" for c in params["columns"])
            params_en["columns"] = ", ".join(f"{c.key} («{c.header_fa}»)" for c in params["columns"])
        self.message_fa, self.message_en = _in_both(FILE_MESSAGES[message_key or code], params_fa, params_en)
        super().__init__(self.message_en)


@dataclass
class RowVerdict:
    row: int
    tracking_code: str
    action: str
    column: str = ""
    code: str = ""
    reason_fa: str = ""
    reason_en: str = ""


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    written: bool = False
    rejected_rows: list[RowVerdict] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0


class _RowError(Exception):
    """One row's first problem; becomes a rejected RowVerdict."""

    def __init__(self, code: str, column: str, message: str | None = None, value: str = "", **params: Any):
        self.code = code
        self.column = column
        self.message = message or code
        self.value = value
        self.params = params

    def reasons(self) -> tuple[str, str]:
        return reasons_in_both(
            MESSAGES[self.message], COLUMNS_BY_KEY[self.column], value=self.value, **self.params
        )


def reasons_in_both(msgid: str, column: Column, value: str = "", **params: Any) -> tuple[str, str]:
    """A row's reason in Persian and English: the column by its Persian header in Persian and its
    English label in English; numbers in Persian digits in Persian; a long value shortened."""
    value = shortened(value)
    common = {"value": value, **params}
    params_fa = {k: to_persian_digits(v) if isinstance(v, int) else v for k, v in common.items()}
    params_fa["column"] = column.header_fa
    params_en = {**common, "column": column.label_en}
    return _in_both(msgid, params_fa, params_en)


def shortened(value: str, size: int = SHOWN_VALUE_CHARS) -> str:
    """A value as a message or a verdict repeats it: a long one cut, with an ellipsis."""
    return value if len(value) <= size else value[: size - 3] + "…"


# --- reading the file --------------------------------------------------------------------------


class _Source:
    """The file to import, which can be opened again from its start for each pass over it."""

    def __init__(self, source: Any, name: str | None, max_rows: int = MAX_ROWS):
        self.max_rows = max_rows
        self._path: str | None = None
        self._file: IO[bytes] | None = None
        self._spool: IO[bytes] | None = None
        if isinstance(source, (str, os.PathLike)):
            self._path = os.fspath(source)
            self.name = name or self._path
        else:
            self.name = name or str(getattr(source, "name", "") or "")
            if _seekable(source):
                self._file = source
            else:
                # A pass can only start from the beginning of a file that can be rewound.
                self._spool = tempfile.TemporaryFile()
                shutil.copyfileobj(source, self._spool)
                self._file = self._spool
        self.kind = self._detect()

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        if self._path is not None:
            try:
                handle = open(self._path, "rb")
            except OSError as error:
                raise UnusableFile("unreadable", detail=error.strerror or str(error)) from None
            with handle:
                yield handle
        else:
            assert self._file is not None
            self._file.seek(0)
            yield self._file

    def _detect(self) -> str:
        with self.open() as handle:
            try:
                head = handle.read(8)
            except (OSError, ValueError) as error:
                raise UnusableFile("unreadable", detail=str(error)) from None
        if not head:
            raise UnusableFile("empty")
        if head.startswith(b"PK\x03\x04"):
            return "xlsx"
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise UnusableFile("not_csv_or_xlsx", "xls")
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise UnusableFile("encoding", "utf16")
        if self.name.lower().endswith((".xlsx", ".xlsm", ".xls")):
            raise UnusableFile("not_csv_or_xlsx")
        return "csv"

    def check_file(self) -> None:
        """Read the whole file once without keeping it, so that a file that breaks half-way is
        refused before anything is written."""
        if self.kind == "xlsx":
            with self.open() as handle:
                try:
                    with zipfile.ZipFile(handle) as archive:
                        broken = archive.testzip()
                except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                    raise UnusableFile("not_csv_or_xlsx", "broken_xlsx") from None
                if broken is not None:
                    raise UnusableFile("not_csv_or_xlsx", "broken_xlsx")
            return
        with self.open() as handle:
            decoder = codecs.getincrementaldecoder("utf-8")()
            while chunk := handle.read(1 << 20):
                # Text never holds NUL; a file that does is binary, whatever its name says.
                if b"\x00" in chunk:
                    raise UnusableFile("not_csv_or_xlsx")
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    raise UnusableFile("encoding") from None
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise UnusableFile("encoding") from None

    def check_registry(self) -> int:
        """Check the file and its registry headers; the number of data rows (from the sheet's size for XLSX)."""
        self.check_file()
        with self.table() as table:
            map_headers(table.headers)
            rows = self.data_rows(table)
        # An XLSX's size may be wrong: a header-only sheet is found while importing it.
        if rows == 0 and self.kind == "csv":
            raise UnusableFile("empty", "header_only")
        return rows

    def data_rows(self, table: _Table) -> int:
        """Exact for CSV; for XLSX the sheet's own size, unless that passes max_rows."""
        if self.kind == "xlsx" and table.max_rows <= self.max_rows:
            return table.max_rows
        # Reading past max_rows raises. An XLSX is read through only when its size is over the
        # limit (its size may count blank rows), since that costs as much as checking it.
        return sum(1 for _ in table.rows)

    @contextlib.contextmanager
    def table(self) -> Iterator[_Table]:
        if self.kind == "xlsx":
            with self._xlsx_table() as table:
                yield table
        else:
            with self._csv_table() as table:
                yield table

    @contextlib.contextmanager
    def _csv_table(self) -> Iterator[_Table]:
        with self.open() as handle:
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
            try:
                delimiter = _sniff_delimiter(text)
                lines = BoundedCsvLines(text, delimiter, keep=MAX_CELL_CHARS + 1, max_fields=MAX_COLUMNS)
                records = csv.reader(lines, delimiter=delimiter)
                yield _Table(_csv_records(records), limit=self.max_rows)
            finally:
                # Leave a caller's file object open: only the wrapper goes.
                text.detach()

    @contextlib.contextmanager
    def _xlsx_table(self) -> Iterator[_Table]:
        with self.open() as handle:
            try:
                workbook = load_xlsx(
                    handle,
                    keep=MAX_CELL_CHARS + 1,
                    max_strings=(self.max_rows + 1) * MAX_STRINGS_PER_ROW,
                )
                sheet = workbook.worksheets[0]
            except TooManyStrings:
                raise UnusableFile("too_many_rows", limit=self.max_rows) from None
            except Exception:  # openpyxl raises a zoo of errors for a workbook it cannot read
                raise UnusableFile("not_csv_or_xlsx", "broken_xlsx") from None
            try:
                max_rows = max((sheet.max_row or 1) - 1, 0)
                # The dimension an exporter writes may be wrong, and read-only mode would stop
                # reading at it; without it, openpyxl reads every row there is.
                sheet.reset_dimensions()
                yield _Table(_xlsx_records(sheet.iter_rows(values_only=True)), max_rows, self.max_rows)
            finally:
                workbook.close()


class _Table:
    """The header row and an iterator of (spreadsheet row number, cells) for the non-blank data rows.

    .max_rows is the number of rows the sheet says it has (XLSX); reading past `limit` data rows
    raises UnusableFile.
    """

    def __init__(self, records: Iterator[tuple[int, list[str]]], max_rows: int = 0, limit: int = MAX_ROWS):
        self.header_row, self.headers = 0, []
        for number, cells in records:
            self.header_row, self.headers = number, cells
            break
        if not self.headers:
            raise UnusableFile("empty")
        self.rows = self._limited(records, limit)
        self.max_rows = max_rows

    @staticmethod
    def _limited(records: Iterator[tuple[int, list[str]]], limit: int) -> Iterator[tuple[int, list[str]]]:
        for count, record in enumerate(records, start=1):
            if count > limit:
                raise UnusableFile("too_many_rows", limit=limit)
            yield record


def _bounded(cells: list[str]) -> list[str]:
    """At most MAX_COLUMNS cells of at most MAX_CELL_CHARS + 1 characters: still too long to accept."""
    cells = cells[:MAX_COLUMNS]
    if cells and max(map(len, cells)) > MAX_CELL_CHARS:
        return [cell[: MAX_CELL_CHARS + 1] for cell in cells]
    return cells


def _csv_records(records: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    # A spreadsheet shows one row per record, however many line breaks a quoted value holds, so
    # rows are numbered by record and not by line.
    number = 0
    try:
        for number, cells in enumerate(records, start=1):
            if any(cell.strip() for cell in cells):
                yield number, _bounded(cells)
    except csv.Error:
        raise UnusableFile("not_csv_or_xlsx", "broken_csv", row=number + 1) from None
    except UnicodeDecodeError:
        raise UnusableFile("encoding") from None


def _xlsx_records(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, list[str]]]:
    number = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception:  # the sheet's XML breaks off half-way: openpyxl raises what its parser raises
            raise UnusableFile("not_csv_or_xlsx", "broken_xlsx") from None
        number += 1
        if number > XLSX_LAST_ROW:
            # openpyxl hands over an empty row for every row number skipped: a sheet claiming
            # row 999,999,999 would keep a worker busy for many minutes. No real sheet goes there.
            raise UnusableFile("not_csv_or_xlsx", "broken_xlsx")
        if not values:
            continue
        cells = _bounded([_cell_text(value) for value in values[:MAX_COLUMNS]])
        if any(cell.strip() for cell in cells):
            yield number, cells


def _sniff_delimiter(text: io.TextIOWrapper) -> str:
    """Comma, unless the first line is clearly separated by tabs or semicolons (Excel in some locales)."""
    first = text.readline(1 << 16)
    text.seek(0)
    if "," not in first:
        for candidate in ("\t", ";"):
            if candidate in first:
                return candidate
    return ","


def _seekable(handle: Any) -> bool:
    try:
        return bool(handle.seekable())
    except (AttributeError, ValueError):
        return False


def _cell_text(value: Any) -> str:
    """An XLSX cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel keeps numbers as doubles: a long tracking code typed as a number has lost digits
        # past 2**53, and its float form fails validation instead of importing a wrong code.
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime | datetime.date):
        # A real date cell is Gregorian (Excel has no Jalali dates); its ISO form is refused by
        # the Jalali parser with a message that says so.
        return value.strftime("%Y-%m-%d")
    return str(value)


def _header_key(text: str) -> str:
    return fold(text).replace("_", "").replace("-", "")


def map_headers(headers: list[str], columns: tuple[Column, ...] = COLUMNS) -> dict[str, int]:
    """Column key → position, from the header row; raises UnusableFile when a required column is missing.

    A header matches a column's Persian header or its English key, compared in folded form, so
    stray spaces, ZWNJ, Arabic ي and ك, case and underscores do not matter. Unknown headers are
    ignored; when two headers match one column, the first counts.
    """
    keys: dict[str, str] = {}
    for column in columns:
        keys[_header_key(column.header_fa)] = column.key
        keys[_header_key(column.key)] = column.key
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = keys.get(_header_key(header))
        if key is not None and key not in positions:
            positions[key] = index
    missing = [column for column in columns if column.required and column.key not in positions]
    if missing:
        raise UnusableFile("missing_columns", columns=missing)
    return positions


@contextlib.contextmanager
def open_table(source: Any, name: str | None = None, *, max_rows: int = MAX_ROWS) -> Iterator[_Table]:
    """Any CSV or XLSX table (first sheet): `.headers`, and `.rows` yielding (row number, cells as text)
    for the non-blank rows below the headers, every cell cut to MAX_CELL_CHARS + 1 characters.
    Raises UnusableFile as import_registry does."""
    src = _Source(source, name, max_rows)
    try:
        src.check_file()
        with src.table() as table:
            yield table
    finally:
        src.close()


def count_rows(source: Any, name: str | None = None, *, max_rows: int = MAX_ROWS) -> int:
    """The number of data rows, for a progress bar (exact for CSV, from the sheet's size for XLSX).
    Raises UnusableFile past max_rows."""
    src = _Source(source, name, max_rows)
    try:
        with src.table() as table:
            return src.data_rows(table)
    finally:
        src.close()


# --- checking one row --------------------------------------------------------------------------


class _Memo:
    """Per-import caches for the costly normalisations. Registry columns repeat a lot (names,
    counties, dates); the caches are emptied when they fill, so memory stays bounded."""

    LIMIT = 20_000

    def __init__(self) -> None:
        self.text: dict[str, str] = {}
        self.folded: dict[str, str] = {}
        self.dates: dict[str, datetime.date | None] = {}

    def norm(self, value: str) -> str:
        if value.isascii() and value.isprintable():
            # For printable ASCII, normalize() only collapses space runs and strips the ends (it also
            # drops control characters, so text with a tab or a control character takes the long way).
            return value if value.isdigit() else " ".join(value.split())
        result = self.text.get(value)
        if result is None:
            if len(self.text) >= self.LIMIT:
                self.text.clear()
            result = self.text[value] = normalize(value)
        return result

    def fold(self, value: str) -> str:
        if value.isascii() and value.isdigit():
            return value
        result = self.folded.get(value)
        if result is None:
            if len(self.folded) >= self.LIMIT:
                self.folded.clear()
            result = self.folded[value] = fold(value)
        return result

    def jalali(self, value: str) -> datetime.date | None:
        """The date, or None when value is not a Jalali date."""
        try:
            return self.dates[value]
        except KeyError:
            pass
        try:
            result: datetime.date | None = parse_jalali(value)
        except ValueError:
            result = None
        if len(self.dates) >= self.LIMIT:
            self.dates.clear()
        self.dates[value] = result
        return result


class _Lookups:
    """Counties, categories and support companies, loaded once per import."""

    def __init__(self) -> None:
        from vendors.models import Category, County, CountyAlias, SupportCompany

        self.counties: dict[str, int | None] = {}
        for pk, slug, name_fa, name_en in County.objects.values_list("pk", "slug", "name_fa", "name_en"):
            for name in {slug, name_fa, name_en}:
                if name:
                    self._add_county(fold(name), pk)
        for pk, key in CountyAlias.objects.values_list("county_id", "key"):
            self._add_county(key, pk)
        self.categories: dict[str, int] = dict(Category.objects.values_list("code", "pk"))
        # national ID → [pk or None while not yet created, name in the database, name wanted]
        self.companies: dict[str, list[Any]] = {
            nid: [pk, name, name]
            for pk, nid, name in SupportCompany.objects.values_list("pk", "national_id", "name")
        }

    def _add_county(self, key: str, pk: int) -> None:
        # Two provinces may one day share a county name: such a name identifies no county.
        if key in self.counties and self.counties[key] != pk:
            self.counties[key] = None
        else:
            self.counties[key] = pk

    def county(self, value: str, memo: _Memo) -> int | None:
        key = memo.fold(value)
        if key not in self.counties and key.startswith(_COUNTY_PREFIX):
            key = key[len(_COUNTY_PREFIX) :]
        if key not in self.counties:
            raise _RowError("unknown_county", "county", value=value)
        pk = self.counties[key]
        if pk is None:
            raise _RowError("unknown_county", "county", "ambiguous_county", value=value)
        return pk


_COUNTY_PREFIX = fold("شهرستان")


@dataclass(slots=True)
class _Candidate:
    """A row that passed the checks of its own cells, waiting for the checks across rows."""

    index: int  # position in the batch
    row: int
    code: str
    fields: dict[str, Any]
    company_nid: str | None


class _RowChecker:
    def __init__(self, positions: dict[str, int], lookups: _Lookups, memo: _Memo):
        self.positions = positions
        self.lookups = lookups
        self.memo = memo
        self.present = set(positions)
        self.ordered = [column.key for column in COLUMNS if column.key in positions]

    def _refuse_overlong(self, cells: list[str]) -> None:
        if not cells or max(map(len, cells)) <= MAX_CELL_CHARS:
            return
        for key in self.ordered:
            index = self.positions[key]
            if index < len(cells) and len(cells[index]) > MAX_CELL_CHARS:
                raise _RowError("cell_too_long", key, limit=MAX_CELL_CHARS)

    def cell(self, cells: list[str], key: str) -> str:
        index = self.positions.get(key)
        if index is None or index >= len(cells):
            return ""
        return self.memo.norm(cells[index])

    def text(self, cells: list[str], key: str) -> str:
        value = self.cell(cells, key)
        column = COLUMNS_BY_KEY[key]
        if column.required and not value:
            raise _RowError(f"missing_{key}", key, "missing")
        if column.max_length and len(value) > column.max_length:
            raise _RowError("too_long", key, length=len(value), limit=column.max_length)
        return value

    def date(self, cells: list[str], key: str) -> datetime.date | None:
        value = self.text(cells, key)
        if not value:
            return None
        result = self.memo.jalali(value)
        if result is None:
            year = value[:4]
            message = "bad_jalali_gregorian" if year.isdigit() and int(year) >= 1700 else "bad_jalali"
            raise _RowError("bad_jalali", key, message, value=value)
        return result

    def yes_no(self, cells: list[str], key: str) -> bool:
        value = self.cell(cells, key)
        folded = self.memo.fold(value)
        if not folded or folded in _NO:
            return False
        if folded in _YES:
            return True
        raise _RowError("bad_yes_no", key, value=value)

    def check(self, cells: list[str]) -> tuple[dict[str, Any], str | None]:
        """The Vendor fields of one row (only for the columns the file has), and the support
        company's national ID; raises _RowError for the first problem, in column order."""
        fields: dict[str, Any] = {}
        present = self.present
        # The tracking code is checked by the caller, first.
        self._refuse_overlong(cells)
        if "permit_id" in present:
            fields["permit_id"] = self.text(cells, "permit_id") or None
        raw = self.text(cells, "national_id")
        try:
            fields["national_id"] = clean_national_id(raw)
        except ValidationError:
            raise _RowError("bad_national_id", "national_id", value=raw) from None
        fields["first_name"] = self.text(cells, "first_name")
        fields["last_name"] = self.text(cells, "last_name")
        if "gender" in present:
            raw = self.cell(cells, "gender")
            gender = _GENDERS.get(self.memo.fold(raw), None) if raw else ""
            if gender is None:
                raise _RowError("bad_gender", "gender", value=raw)
            fields["gender"] = gender
        raw = self.text(cells, "mobile")
        try:
            fields["mobile"] = clean_mobile(raw)
        except ValidationError:
            raise _RowError("bad_mobile", "mobile", value=raw) from None
        if "birth_date" in present:
            fields["birth_date"] = self.date(cells, "birth_date")
        if "business_name" in present:
            fields["business_name"] = self.text(cells, "business_name")
        raw = self.text(cells, "category_code")
        category = self.lookups.categories.get(raw)
        if category is None:
            raise _RowError("unknown_category", "category_code", value=raw)
        fields["category_id"] = category
        raw = self.text(cells, "permit_type")
        permit_type = _PERMIT_TYPES.get(self.memo.fold(raw).replace("_", "").replace("-", ""))
        if permit_type is None:
            raise _RowError("bad_permit_type", "permit_type", value=raw)
        fields["permit_type"] = permit_type
        company_nid = self._company(cells, permit_type)
        if company_nid is not None or {"support_company", "support_company_id"} & present:
            fields["support_company_id"] = company_nid  # resolved to a pk later
        issued = self.date(cells, "permit_issued")
        expires = self.date(cells, "permit_expires")
        assert issued is not None and expires is not None
        if expires <= issued:
            raise _RowError(
                "expires_before_issue",
                "permit_expires",
                value=self.cell(cells, "permit_expires"),
                issued=self.cell(cells, "permit_issued"),
            )
        fields["permit_issued"], fields["permit_expires"] = issued, expires
        fields["county_id"] = self.lookups.county(self.text(cells, "county"), self.memo)
        if "city" in present:
            fields["city"] = self.text(cells, "city")
        if "address" in present:
            index = self.positions["address"]
            fields["address"] = normalize_multiline(cells[index]) if index < len(cells) else ""
        if "postal_code" in present:
            raw = self.cell(cells, "postal_code")
            try:
                fields["postal_code"] = clean_postal_code(raw) if raw else ""
            except ValidationError:
                raise _RowError("bad_postal_code", "postal_code", value=raw) from None
        for key in ("female_head_of_household", "disability"):
            if key in present:
                fields[key] = self.yes_no(cells, key)
        return fields, company_nid

    def _company(self, cells: list[str], permit_type: str) -> str | None:
        name = self.text(cells, "support_company")
        raw = self.cell(cells, "support_company_id")
        nid = None
        if raw:
            try:
                nid = clean_company_id(raw)
            except ValidationError:
                raise _RowError("bad_company_id", "support_company_id", value=raw) from None
        if permit_type == "piece_rate":
            if not name:
                raise _RowError(
                    "missing_support_company", "support_company", "missing_support_company_piece_rate"
                )
            if nid is None:
                raise _RowError(
                    "missing_support_company", "support_company_id", "missing_support_company_piece_rate"
                )
        if nid is None:
            return None
        entry = self.lookups.companies.get(nid)
        if entry is None:
            if not name:
                raise _RowError(
                    "missing_support_company", "support_company", "missing_support_company_new", value=nid
                )
            self.lookups.companies[nid] = [None, None, name]
        elif name:
            entry[2] = name
        return nid


# --- the import --------------------------------------------------------------------------------


class _FileState:
    """What earlier rows of the file claimed, to find clashes across the whole file: the first row
    of each tracking code (and whether it was rejected), and the permit IDs and mobiles of accepted
    rows. It lives in a private scratch SQLite database, which spills to a temporary file past a
    small cache, so memory stays flat however long the file is."""

    CHUNK = 500  # keys per lookup, well under SQLite's limit on parameters

    def __init__(self) -> None:
        # "" names a private temporary database, deleted when closed.
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -2000;
            CREATE TABLE seen (code TEXT PRIMARY KEY, first_row INTEGER, dropped INTEGER) WITHOUT ROWID;
            CREATE TABLE permits (permit TEXT PRIMARY KEY, code TEXT) WITHOUT ROWID;
            CREATE TABLE mobiles (mobile TEXT PRIMARY KEY, national_id TEXT) WITHOUT ROWID;
            """
        )

    def close(self) -> None:
        self.db.close()

    def _lookup(self, sql: str, keys: set[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        ordered = list(keys)
        for start in range(0, len(ordered), self.CHUNK):
            chunk = ordered[start : start + self.CHUNK]
            for key, *values in self.db.execute(sql.format(",".join("?" * len(chunk))), chunk):
                found[key] = tuple(values) if len(values) > 1 else values[0]
        return found

    def seen(self, codes: set[str]) -> dict[str, tuple[int, int]]:
        """tracking code → (row number of its first row, 1 if that row was rejected)."""
        return self._lookup("SELECT code, first_row, dropped FROM seen WHERE code IN ({})", codes)

    def permits(self, permits: set[str]) -> dict[str, str]:
        """permit ID → the tracking code of the accepted row that holds it."""
        return self._lookup("SELECT permit, code FROM permits WHERE permit IN ({})", permits)

    def mobiles(self, mobiles: set[str]) -> dict[str, str]:
        """mobile → the national ID of the accepted rows that hold it."""
        return self._lookup("SELECT mobile, national_id FROM mobiles WHERE mobile IN ({})", mobiles)

    def record(
        self, seen: dict[str, int], dropped: set[str], permits: dict[str, str], mobiles: dict[str, str]
    ):
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT INTO seen VALUES (?, ?, ?)", ((code, row, code in dropped) for code, row in seen.items())
        )
        self.db.executemany("INSERT OR REPLACE INTO permits VALUES (?, ?)", permits.items())
        self.db.executemany("INSERT OR REPLACE INTO mobiles VALUES (?, ?)", mobiles.items())
        self.db.execute("COMMIT")


class _Importer:
    def __init__(
        self,
        src: _Source,
        *,
        write: bool,
        report: IO[str] | None,
        progress,
        batch_size: int,
        bom: bool = True,
    ):
        self.src = src
        self.write = write
        self.progress = progress
        self.batch_size = max(1, batch_size)
        self.summary = ImportSummary(written=write)
        self.state = _FileState()
        self.memo = _Memo()
        self.report = None
        if report is not None:
            if bom:
                _write_bom(report)
            self.report = CsvWriter(report)
            self.report.writerow(REPORT_COLUMNS)
        self.create_action = "created" if write else "would_create"
        self.update_action = "updated" if write else "would_update"

    def run(self) -> ImportSummary:
        from vendors.models import Vendor

        self.lookups = _Lookups()
        self.model_fields = [f.attname for f in Vendor._meta.concrete_fields]
        with self.src.table() as table, contextlib.closing(self.state):
            positions = map_headers(table.headers)
            self.checker = _RowChecker(positions, self.lookups, self.memo)
            self.tracking_index = positions["tracking_code"]
            # The Vendor fields the file speaks for; the others are left as they are on update.
            self.update_fields = sorted(
                {FIELD_OF_COLUMN[key] for key in positions if key in FIELD_OF_COLUMN}
                | {"search_text", "updated_at"}
            )
            batch: list[tuple[int, list[str]]] = []
            for record in table.rows:
                batch.append(record)
                if len(batch) >= self.batch_size:
                    self._batch(batch)
                    batch = []
            if batch:
                self._batch(batch)
        if self.summary.rows == 0:
            raise UnusableFile("empty", "header_only")
        return self.summary

    # One batch: check each row's own cells, then the clashes across rows and with the database,
    # then write the good rows in one transaction, then report every row in order.
    def _batch(self, records: list[tuple[int, list[str]]]) -> None:
        verdicts: list[RowVerdict | None] = [None] * len(records)
        codes: list[tuple[str, _RowError | None]] = [self._tracking_code(cells) for _, cells in records]
        earlier = self.state.seen({code for code, error in codes if error is None})
        batch_seen: dict[str, int] = {}  # tracking codes first seen in this batch → their row
        batch_dropped: set[str] = set()
        candidates: list[_Candidate] = []
        for index, ((row, cells), (code, error)) in enumerate(zip(records, codes, strict=True)):
            try:
                if error is not None:
                    raise error
                first_row = earlier[code][0] if code in earlier else batch_seen.get(code)
                if first_row is not None:
                    raise _RowError(
                        "duplicate_tracking_code", "tracking_code", value=code, first_row=first_row
                    )
                batch_seen[code] = row
                try:
                    fields, company_nid = self.checker.check(cells)
                except _RowError:
                    batch_dropped.add(code)
                    raise
                fields["tracking_code"] = code
                candidates.append(_Candidate(index, row, code, fields, company_nid))
            except _RowError as error:
                verdicts[index] = self._rejected(row, code, error)

        outcome = self._decide(candidates, batch_seen)
        if self.write and (outcome.creates or outcome.updates or self._companies_changed(outcome)):
            try:
                self._write(outcome)
            except IntegrityError:
                # Another import wrote the same vendors meanwhile: look again once, then give up on this batch.
                self._refresh_companies(candidates)
                outcome = self._decide(candidates, batch_seen)
                try:
                    self._write(outcome)
                except IntegrityError:
                    outcome = _Outcome()
                    for candidate in candidates:
                        outcome.reject(candidate, _RowError("write_conflict", "tracking_code"))

        self.state.record(batch_seen, batch_dropped | outcome.dropped, outcome.permits, outcome.mobiles)
        for candidate in candidates:
            error = outcome.rejected.get(candidate.index)
            if error is not None:
                verdicts[candidate.index] = self._rejected(candidate.row, candidate.code, error)
            else:
                action = outcome.actions[candidate.index]
                verdicts[candidate.index] = RowVerdict(candidate.row, candidate.code, action)
                if action == "unchanged":
                    self.summary.unchanged += 1
                elif action == self.create_action:
                    self.summary.created += 1
                else:
                    self.summary.updated += 1
        self.summary.rows += len(records)
        if self.report is not None:
            self.report.writerows(
                (v.row, v.tracking_code, v.action, v.column, v.code, v.reason_fa, v.reason_en)
                for v in verdicts
                if v is not None
            )
        # With DEBUG on, Django keeps every query's SQL; a long import would keep thousands.
        reset_queries()
        if self.progress is not None:
            self.progress(self.summary.rows)

    def _tracking_code(self, cells: list[str]) -> tuple[str, _RowError | None]:
        """The row's tracking code (as typed when it is not valid) and its problem, if any."""
        index = self.tracking_index
        if index < len(cells) and len(cells[index]) > MAX_CELL_CHARS:
            return shortened(self.memo.norm(cells[index])), _RowError(
                "cell_too_long", "tracking_code", limit=MAX_CELL_CHARS
            )
        raw = self.memo.norm(cells[index]) if index < len(cells) else ""
        if not raw:
            return "", _RowError("missing_tracking_code", "tracking_code", "missing")
        try:
            return clean_tracking_code(raw), None
        except ValidationError:
            return shortened(raw), _RowError("bad_tracking_code", "tracking_code", value=raw)

    def _rejected(self, row: int, code: str, error: _RowError) -> RowVerdict:
        fa, en = error.reasons()
        verdict = RowVerdict(row, code, "rejected", error.column, error.code, fa, en)
        self.summary.rejected += 1
        if len(self.summary.rejected_rows) < KEEP_REJECTED:
            self.summary.rejected_rows.append(verdict)
        return verdict

    def _decide(self, candidates: list[_Candidate], batch_seen: dict[str, int]) -> _Outcome:
        """The checks across rows and against the database, and what to write. Changes no state."""
        from vendors.models import Vendor

        outcome = _Outcome()
        if not candidates:
            return outcome
        codes = [c.code for c in candidates]
        existing = {
            row["tracking_code"]: row
            for row in Vendor.objects.filter(tracking_code__in=codes).values(*self.model_fields)
        }
        permits = {c.fields["permit_id"] for c in candidates if c.fields.get("permit_id")}
        permit_owners: dict[str, str] = dict(
            Vendor.objects.filter(permit_id__in=permits).values_list("permit_id", "tracking_code")
            if permits
            else ()
        )
        mobiles = {c.fields["mobile"] for c in candidates}
        mobile_owners: dict[str, list[tuple[str, str]]] = {}
        for mobile, national_id, code in Vendor.objects.filter(mobile__in=mobiles).values_list(
            "mobile", "national_id", "tracking_code"
        ):
            mobile_owners.setdefault(mobile, []).append((national_id, code))
        permits_in_file = self.state.permits(permits)
        mobiles_in_file = self.state.mobiles(mobiles)
        owners = set(permit_owners.values()) | {code for o in mobile_owners.values() for _, code in o}
        owners_in_file = self.state.seen(owners - batch_seen.keys())
        accepted_here: set[str] = set()

        def taken_over(code: str, include_this_batch: bool) -> bool:
            # A database vendor whose row this file has already accepted: the file's values count
            # for it, not the database's (in a dry run the database still holds the old ones).
            if code in batch_seen:
                return include_this_batch and code in accepted_here
            return code in owners_in_file and not owners_in_file[code][1]

        now = timezone.now()
        for candidate in candidates:
            fields = candidate.fields
            code = candidate.code
            permit = fields.get("permit_id")
            if permit:
                other = outcome.permits.get(permit) or permits_in_file.get(permit)
                if other is None:
                    db_owner = permit_owners.get(permit)
                    # Taking over a permit ID within one batch could clash inside one UPDATE, so it
                    # is allowed only from a vendor whose new row came in an earlier batch.
                    if db_owner is not None and db_owner != code and not taken_over(db_owner, False):
                        other = db_owner
                if other is not None:
                    outcome.reject(
                        candidate, _RowError("duplicate_permit_id", "permit_id", value=permit, other=other)
                    )
                    continue
            mobile, national_id = fields["mobile"], fields["national_id"]
            owner_nid = outcome.mobiles.get(mobile) or mobiles_in_file.get(mobile)
            if owner_nid is not None and owner_nid != national_id:
                outcome.reject(
                    candidate, _RowError("mobile_taken", "mobile", "mobile_taken_file", value=mobile)
                )
                continue
            clash = next(
                (
                    other_code
                    for other_nid, other_code in mobile_owners.get(mobile, ())
                    if other_code != code and other_nid != national_id and not taken_over(other_code, True)
                ),
                None,
            )
            if clash is not None:
                outcome.reject(
                    candidate,
                    _RowError("mobile_taken", "mobile", "mobile_taken_db", value=mobile, other=clash),
                )
                continue

            accepted_here.add(code)
            if permit:
                outcome.permits[permit] = code
            outcome.mobiles[mobile] = national_id
            self._plan(candidate, existing.get(code), outcome, now)
        return outcome

    def _plan(self, candidate: _Candidate, current: dict[str, Any] | None, outcome: _Outcome, now) -> None:
        from vendors.models import Vendor

        fields = dict(candidate.fields)
        company_pending = False
        if candidate.company_nid is not None:
            entry = self.lookups.companies[candidate.company_nid]
            fields["support_company_id"] = entry[0]
            company_pending = entry[0] is None
            outcome.companies.add(candidate.company_nid)
        if current is None:
            if not fields.get("business_name"):
                fields["business_name"] = f"{fields['first_name']} {fields['last_name']}"
            fields["search_text"] = self._search_text(fields)
            fields["created_at"] = fields["updated_at"] = now
            outcome.creates.append((fields, candidate.company_nid))
            outcome.actions[candidate.index] = self.create_action
            return
        if "business_name" in fields and not fields["business_name"]:
            fields["business_name"] = f"{fields['first_name']} {fields['last_name']}"
        merged = {**current, **fields}
        fields["search_text"] = self._search_text(merged)
        changed = company_pending or any(current[name] != value for name, value in fields.items())
        if not changed:
            outcome.actions[candidate.index] = "unchanged"
            return
        fields["updated_at"] = now
        outcome.updates.append((Vendor(pk=current["id"], **fields), candidate.company_nid))
        outcome.actions[candidate.index] = self.update_action

    def _search_text(self, fields: dict[str, Any]) -> str:
        # Exactly what Vendor.save() stores, so that bulk writes are found by the same searches.
        return " ".join(self.memo.fold(fields[name]) for name in SEARCH_FIELDS)

    def _write(self, outcome: _Outcome) -> None:
        from vendors.models import SupportCompany, Vendor

        companies = self.lookups.companies
        with transaction.atomic():
            new = [nid for nid in outcome.companies if companies[nid][0] is None]
            if new:
                SupportCompany.objects.bulk_create(
                    SupportCompany(national_id=nid, name=companies[nid][2]) for nid in new
                )
                created = dict(
                    SupportCompany.objects.filter(national_id__in=new).values_list("national_id", "pk")
                )
            else:
                created = {}
            for nid in outcome.companies:
                entry = companies[nid]
                if entry[0] is not None and entry[1] != entry[2]:
                    SupportCompany.objects.filter(pk=entry[0]).update(name=entry[2])
            for vendor, nid in outcome.updates:
                if nid in created:
                    vendor.support_company_id = created[nid]
            for fields, nid in outcome.creates:
                if nid in created:
                    fields["support_company_id"] = created[nid]
            if outcome.updates:
                Vendor.objects.bulk_update([v for v, _ in outcome.updates], self.update_fields)
            if outcome.creates:
                _insert_vendors([fields for fields, _ in outcome.creates])
        for nid in outcome.companies:
            entry = companies[nid]
            if entry[0] is None:
                entry[0] = created[nid]
            entry[1] = entry[2]

    def _companies_changed(self, outcome: _Outcome) -> bool:
        # A company renamed by a row whose vendor is otherwise unchanged still needs writing.
        companies = self.lookups.companies
        return any(
            companies[nid][0] is None or companies[nid][1] != companies[nid][2] for nid in outcome.companies
        )

    def _refresh_companies(self, candidates: list[_Candidate]) -> None:
        from vendors.models import SupportCompany

        nids = {c.company_nid for c in candidates if c.company_nid is not None}
        for pk, nid, name in SupportCompany.objects.filter(national_id__in=nids).values_list(
            "pk", "national_id", "name"
        ):
            entry = self.lookups.companies[nid]
            entry[0], entry[1] = pk, name


@dataclass
class _Outcome:
    actions: dict[int, str] = field(default_factory=dict)
    rejected: dict[int, _RowError] = field(default_factory=dict)
    creates: list[tuple[dict[str, Any], str | None]] = field(default_factory=list)
    updates: list[tuple[Any, str | None]] = field(default_factory=list)
    companies: set[str] = field(default_factory=set)
    permits: dict[str, str] = field(default_factory=dict)  # permit ID → tracking code
    mobiles: dict[str, str] = field(default_factory=dict)  # mobile → national ID
    dropped: set[str] = field(default_factory=set)  # tracking codes rejected here

    def reject(self, candidate: _Candidate, error: _RowError) -> None:
        self.rejected[candidate.index] = error
        self.dropped.add(candidate.code)


def _insert_vendors(rows: list[dict[str, Any]]) -> None:
    """INSERT new vendors with one executemany. bulk_create does the same, but builds a model
    instance and prepares every value through the ORM's generic machinery, which made it most of
    the time of a large import. Values go through each field's get_db_prep_save all the same."""
    from django.db import connections, router

    from vendors.models import Vendor

    connection = connections[router.db_for_write(Vendor)]
    quote = connection.ops.quote_name
    fields = [f for f in Vendor._meta.concrete_fields if not f.primary_key]
    text_fields = {"CharField", "TextField"}
    prepare = [
        (f.attname, f.get_default(), None if f.get_internal_type() in text_fields else f) for f in fields
    ]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(Vendor._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    params = [
        [
            row.get(attname, default)
            if field is None
            else field.get_db_prep_save(row.get(attname, default), connection)
            for attname, default, field in prepare
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _write_bom(report: IO[str]) -> None:
    # Excel reads a CSV as UTF-8 only when it starts with a BOM; a utf-8-sig stream writes its own.
    if (getattr(report, "encoding", "") or "").lower().replace("-", "_") != "utf_8_sig":
        report.write("\ufeff")


def import_registry(
    source: Any,
    *,
    name: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    report: IO[str] | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 1000,
    max_rows: int = MAX_ROWS,
) -> ImportSummary:
    """Import a registry export (a path, or a binary file object with `name` telling CSV from XLSX).

    Good rows are written batch by batch, one transaction per batch; a dry run writes nothing and
    gives the same verdicts (would_create / would_update); a strict run checks every row first and
    writes nothing at all when any row is rejected, else writes everything in one transaction.
    `report`, an open text file, receives one CSV line per row (UTF-8 with a BOM for Excel);
    `progress(rows_done)` is called after each batch (in a strict run, during both passes).
    Raises UnusableFile, before anything is written, when the file as a whole cannot be used (or has
    more than max_rows rows; an XLSX that says it has fewer than it holds is refused when the
    reading reaches max_rows, and in a plain run the batches before are kept).
    """
    src = _Source(source, name, max_rows)
    try:
        src.check_registry()

        def run(write: bool, report_to: IO[str] | None, bom: bool = True) -> ImportSummary:
            importer = _Importer(
                src, write=write, report=report_to, progress=progress, batch_size=batch_size, bom=bom
            )
            return importer.run()

        if dry_run:
            return run(False, report)
        if not strict:
            return run(True, report)
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as buffer:
            checked = run(False, buffer if report is not None else None, bom=False)
            if checked.rejected:
                if report is not None:
                    _write_bom(report)
                    buffer.seek(0)
                    shutil.copyfileobj(buffer, report)
                return checked
        with transaction.atomic():
            summary = run(True, report)
            if summary.rejected:
                # The database changed between the two passes: strict means all or nothing.
                transaction.set_rollback(True)
                summary.written = False
        return summary
    finally:
        src.close()
