"""Spreadsheets in and out. Out: CSV with a byte-order mark and right-to-left XLSX, every cell text,
that open right in Excel. In: CSV and XLSX read with every cell bounded.

Every CSV the product writes goes through CsvWriter and every XLSX through xlsx_bytes, so that no
cell, whatever a user typed into it, is run as a formula.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone

from .jalali import to_jalali_string


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


# Excel runs a CSV cell that starts with one of these as a formula: a business name typed as
# "=HYPERLINK(…)" in the registry must stay text on an organiser's computer.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: Any) -> Any:
    """Text that would start a formula gets a leading apostrophe, which Excel shows as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class CsvWriter:
    """The one way the product writes CSV: csv.writer, with every cell made formula-safe.

    Anything a user typed can end up in a cell (a registry file's tracking code, a business name),
    and a report opened in Excel or LibreOffice must not run it.
    """

    def __init__(self, file: Any, **options: Any):
        self._writer = csv.writer(file, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([formula_safe(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_chunks(headers: Iterable[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """The CSV text line by line, starting with a byte-order mark so that Excel reads it as UTF-8."""
    writer = CsvWriter(_Echo())
    yield "\ufeff" + writer.writerow(list(headers))
    for row in rows:
        yield writer.writerow(row)


def xlsx_bytes(sheet_title: str, headers: Iterable[str], rows: Iterable[list[str]]) -> bytes:
    """The rows as a right-to-left XLSX workbook with one sheet, every cell text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    # Text stored before normalize() dropped control characters (older registry imports) can still
    # hold them: openpyxl refuses those, and writes U+FFFE, U+FFFF and lone surrogates into a file
    # that then does not open. None of them shows as anything, so they are left out.
    not_in_xml = re.compile(ILLEGAL_CHARACTERS_RE.pattern + r"|[\ud800-\udfff\ufffe\uffff]")

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.sheet_view.rightToLeft = True
    sheet.freeze_panes = "A2"

    def text(value: str, bold: bool = False) -> WriteOnlyCell:
        if isinstance(value, str):
            value = not_in_xml.sub("", value)
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


# --- reading, with every cell bounded -------------------------------------------------------------
#
# A 200 KB XLSX can hold a 200 MB cell (text compresses well), and a CSV line can be as long as the
# file. These readers cut every cell to `keep` characters while reading, so a giant cell is never
# held whole (XLSX inline strings excepted: openpyxl parses each one whole, and it is cut at once).
# `keep` should be one more than the longest cell the caller accepts, so that the caller still sees
# that the cell was too long and can say so.

_START, _FIELD, _QUOTED, _QUOTE_IN_QUOTED = range(4)


class _CsvRecord:
    """One CSV record read piece by piece, like csv.reader (the default dialect, not strict) reads it,
    but keeping at most `keep` characters of each field and at most `max_fields` fields."""

    def __init__(self, delimiter: str, keep: int, max_fields: int):
        self.delimiter = delimiter
        self.keep = keep
        self.max_fields = max_fields
        self.special = re.compile(f"[{re.escape(delimiter)}\r\n]")
        self.fields: list[str] = []
        self.parts: list[str] = []
        self.kept = 0
        self.cut = False
        self.state = _START
        self.done = False

    def _add(self, piece: str, start: int, end: int) -> None:
        room = self.keep - self.kept
        if end - start > room:
            self.cut = True
            end = start + room
        if end > start:
            self.parts.append(piece[start:end])
            self.kept += end - start

    def _end_field(self) -> None:
        if len(self.fields) < self.max_fields:
            self.fields.append("".join(self.parts))
        self.parts, self.kept, self.state = [], 0, _START

    def feed(self, piece: str) -> None:
        """Read one piece (a line, or part of a long one); sets .done when the record ends in it."""
        pos, size = 0, len(piece)
        while pos < size and not self.done:
            if self.state == _START:
                char = piece[pos]
                if char == '"':
                    self.state = _QUOTED
                    pos += 1
                elif char in "\r\n":
                    if self.fields:  # a line that ends right after a delimiter: one more, empty field
                        self._end_field()
                    self.done = True
                else:
                    self.state = _FIELD
            elif self.state == _FIELD:
                found = self.special.search(piece, pos)
                end = found.start() if found else size
                self._add(piece, pos, end)
                pos = end
                if found:
                    self._end_field()
                    self.done = piece[end] != self.delimiter
                    pos += 1
            elif self.state == _QUOTED:
                end = piece.find('"', pos)
                self._add(piece, pos, size if end < 0 else end)
                if end < 0:
                    pos = size
                else:
                    self.state = _QUOTE_IN_QUOTED
                    pos = end + 1
            else:  # just after a quote inside a quoted field
                char = piece[pos]
                if char == '"':  # a doubled quote is one quote
                    self._add('"', 0, 1)
                    self.state = _QUOTED
                elif char == self.delimiter:
                    self._end_field()
                elif char in "\r\n":
                    self._end_field()
                    self.done = True
                else:  # like csv.reader: text after the closing quote belongs to the field
                    self._add(piece, pos, pos + 1)
                    self.state = _FIELD
                pos += 1

    def finish(self) -> None:
        """The file ended inside the record."""
        if self.state == _QUOTED and self.cut:
            # What csv.reader says when a quote is never closed and the rest of the file fills the field.
            raise csv.Error("field larger than field limit: a quoted value is never closed")
        if self.state != _START or self.fields:
            self._end_field()
        self.done = True

    def line(self) -> str:
        out = io.StringIO()
        csv.writer(out, delimiter=self.delimiter).writerow(self.fields)
        return out.getvalue()


class BoundedCsvLines:
    """The lines of a CSV text for csv.reader, with every field cut to `keep` characters and every
    record to `max_fields` fields, read in pieces of at most `chunk` characters.

    csv.reader would hold a whole field in memory, and past csv.field_size_limit (a setting of the
    whole process) stop with an error that loses its place in the file. Here a plain line (shorter
    than `chunk`, quotes only around whole fields, not too many fields) passes as it is, and any
    other record is read by _CsvRecord and written again, shortened but the same shape: the reader
    sees the same records, rows keep their numbers, and a cell that was too long is still longer
    than any allowed one.
    `text` must be opened with newline="", as csv wants.
    """

    def __init__(self, text: Any, delimiter: str, *, keep: int, max_fields: int, chunk: int = 1 << 16):
        self.text = text
        self.delimiter = delimiter
        self.keep = keep
        self.max_fields = max_fields
        self.chunk = max(chunk, 2)
        self._drop_lf = False
        # Quoted fields that close on the line, or fields without quotes: csv.reader reads such a
        # line alone. A stray quote, or a field that goes on to the next line, takes the slow path.
        d = re.escape(delimiter)
        field = f'(?:"(?:[^"]|"")*"|[^"{d}\r\n]*)'
        self._well_quoted = re.compile(f"{field}(?:{d}{field})*(?:\r\n|\r|\n)?")

    def _piece(self) -> str:
        piece = self.text.readline(self.chunk)
        if self._drop_lf and piece.startswith("\n"):
            piece = piece[1:] or self.text.readline(self.chunk)
        self._drop_lf = False
        return piece

    def _ended(self, piece: str) -> None:
        # A record that ends on a piece cut right after "\r": a "\n" starting the next piece is
        # the rest of the same line end, not an empty line.
        self._drop_lf = len(piece) == self.chunk and piece.endswith("\r")

    def _plain(self, piece: str) -> bool:
        """A whole line, not too many fields, and every quote where it opens or closes a field."""
        whole = len(piece) < self.chunk or piece.endswith(("\n", "\r"))
        if not whole or piece.count(self.delimiter) >= self.max_fields:
            return False
        return '"' not in piece or self._well_quoted.fullmatch(piece) is not None

    def __iter__(self) -> Iterator[str]:
        while piece := self._piece():
            if self._plain(piece):
                self._ended(piece)
                yield piece
                continue
            record = _CsvRecord(self.delimiter, self.keep, self.max_fields)
            while True:
                record.feed(piece)
                if record.done:
                    self._ended(piece)
                    break
                piece = self._piece()
                if not piece:
                    record.finish()
                    break
            yield record.line()


class _SharedStrings:
    """The shared strings of an XLSX as openpyxl reads them (the text of <si>, without phonetic
    runs), each cut to `keep` characters while the XML streams past."""

    def __init__(self, keep: int, max_strings: int):
        self.keep = keep
        self.max_strings = max_strings
        self.strings: list[str] = []
        self.path: list[str] = []
        self.parts: list[str] = []
        self.kept = 0

    def start(self, name: str, _attributes: Any) -> None:
        local = name.rpartition("}")[2]
        self.path.append(local)
        if local == "si":
            self.parts, self.kept = [], 0

    def end(self, _name: str) -> None:
        if self.path.pop() == "si":
            if len(self.strings) >= self.max_strings:
                raise TooManyStrings
            self.strings.append("".join(self.parts).replace("x005F_", ""))

    def text(self, data: str) -> None:
        path = self.path
        in_text = (
            len(path) >= 2
            and path[-1] == "t"
            and (path[-2] == "si" or (path[-2] == "r" and len(path) >= 3 and path[-3] == "si"))
        )
        if in_text and self.kept < self.keep:
            data = data[: self.keep - self.kept]
            self.parts.append(data)
            self.kept += len(data)

    @staticmethod
    def refuse_doctype(*_args: Any) -> None:
        raise ValueError("an XLSX part has no document type declaration")


class TooManyStrings(Exception):
    """The workbook's shared-string table is longer than the caller allows."""


def read_shared_strings(source: Any, *, keep: int, max_strings: int) -> list[str]:
    from xml.parsers import expat

    table = _SharedStrings(keep, max_strings)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartElementHandler = table.start
    parser.EndElementHandler = table.end
    parser.CharacterDataHandler = table.text
    parser.StartDoctypeDeclHandler = table.refuse_doctype
    try:
        parser.ParseFile(source)
    except expat.ExpatError as error:
        raise ValueError(str(error)) from None
    return table.strings


def load_xlsx(source: Any, *, keep: int, max_strings: int) -> Any:
    """openpyxl's read-only workbook, with the shared strings read by read_shared_strings.

    Raises TooManyStrings, ValueError for broken XML, or whatever openpyxl raises.
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    class Reader(ExcelReader):
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as strings:
                    self.shared_strings = read_shared_strings(strings, keep=keep, max_strings=max_strings)

    reader = Reader(source, read_only=True, data_only=True)
    reader.read()
    return reader.wb
