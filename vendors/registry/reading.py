"""Reading a CSV or XLSX table within bounds: every cell, column and row count capped while it is read.

A registry export comes from a person's upload, so nothing in it is trusted: a giant cell, a
million columns or rows, a broken archive or a wrong encoding are refused (UnusableFile) or cut
before they reach memory whole. The file can be read from its start again for each pass over it.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from bazaarche.spreadsheets import BoundedCsvLines, TooManyStrings, load_xlsx
from bazaarche.text import fold

from .columns import COLUMNS, Column
from .rejections import UnusableFile

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


class Source:
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

    def data_rows(self, table: Table) -> int:
        """Exact for CSV; for XLSX the sheet's own size, unless that passes max_rows."""
        if self.kind == "xlsx" and table.max_rows <= self.max_rows:
            return table.max_rows
        # Reading past max_rows raises. An XLSX is read through only when its size is over the
        # limit (its size may count blank rows), since that costs as much as checking it.
        return sum(1 for _ in table.rows)

    @contextlib.contextmanager
    def table(self) -> Iterator[Table]:
        if self.kind == "xlsx":
            with self._xlsx_table() as table:
                yield table
        else:
            with self._csv_table() as table:
                yield table

    @contextlib.contextmanager
    def _csv_table(self) -> Iterator[Table]:
        with self.open() as handle:
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
            try:
                delimiter = _sniff_delimiter(text)
                lines = BoundedCsvLines(text, delimiter, keep=MAX_CELL_CHARS + 1, max_fields=MAX_COLUMNS)
                records = csv.reader(lines, delimiter=delimiter)
                yield Table(_csv_records(records), limit=self.max_rows)
            finally:
                # Leave a caller's file object open: only the wrapper goes.
                text.detach()

    @contextlib.contextmanager
    def _xlsx_table(self) -> Iterator[Table]:
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
                yield Table(_xlsx_records(sheet.iter_rows(values_only=True)), max_rows, self.max_rows)
            finally:
                workbook.close()


class Table:
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
def open_table(source: Any, name: str | None = None, *, max_rows: int = MAX_ROWS) -> Iterator[Table]:
    """Any CSV or XLSX table (first sheet): `.headers`, and `.rows` yielding (row number, cells as text)
    for the non-blank rows below the headers, every cell cut to MAX_CELL_CHARS + 1 characters.
    Raises UnusableFile as import_registry does."""
    src = Source(source, name, max_rows)
    try:
        src.check_file()
        with src.table() as table:
            yield table
    finally:
        src.close()


def count_rows(source: Any, name: str | None = None, *, max_rows: int = MAX_ROWS) -> int:
    """The number of data rows, for a progress bar (exact for CSV, from the sheet's size for XLSX).
    Raises UnusableFile past max_rows."""
    src = Source(source, name, max_rows)
    try:
        with src.table() as table:
            return src.data_rows(table)
    finally:
        src.close()
