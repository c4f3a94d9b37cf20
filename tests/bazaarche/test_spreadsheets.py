"""Spreadsheets in and out: the formula-safe CSV writer and the readers that bound every cell."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bazaarche.spreadsheets import BoundedCsvLines, CsvWriter, TooManyStrings, read_shared_strings, xlsx_bytes


def records(text: str, *, keep: int = 10**6, max_fields: int = 1000, chunk: int = 1 << 16, delimiter=","):
    lines = BoundedCsvLines(
        io.StringIO(text, newline=""), delimiter, keep=keep, max_fields=max_fields, chunk=chunk
    )
    return list(csv.reader(lines, delimiter=delimiter))


csv_text = st.text(alphabet=st.sampled_from(list('ab,;"\r\n ب')), max_size=60)


@settings(max_examples=400, deadline=None)
@given(text=csv_text, chunk=st.integers(2, 9), delimiter=st.sampled_from([",", ";"]))
def test_bounded_csv_lines_read_what_csv_reader_reads(text, chunk, delimiter):
    # Tiny pieces send almost every line down the slow path, cut at every possible place.
    expected = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert records(text, chunk=chunk, delimiter=delimiter) == expected


@settings(max_examples=200, deadline=None)
@given(text=csv_text, chunk=st.integers(2, 9), keep=st.integers(0, 4), max_fields=st.integers(1, 4))
def test_bounded_csv_lines_cut_fields_and_records_only(text, chunk, keep, max_fields):
    try:
        expected = list(csv.reader(io.StringIO(text, newline="")))
        got = records(text, chunk=chunk, keep=keep, max_fields=max_fields)
    except csv.Error:  # a quoted value that runs to the end of the file and was cut
        return
    # Short plain lines pass whole (the caller cuts them); every other record is cut here.
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert len(mine) <= max(len(theirs), 1)
        assert all(theirs[i].startswith(cell) for i, cell in enumerate(mine))


def test_bounded_csv_lines_hold_a_giant_field_in_pieces():
    text = "a,b\r\n1," + "x" * 3_000_000 + ",3\r\n4,5\r\n"
    assert records(text, keep=5) == [["a", "b"], ["1", "xxxxx", "3"], ["4", "5"]]


def test_bounded_csv_lines_keep_a_quoted_giant_field_and_the_rows_after_it():
    text = 'a,"' + "خط\n" * 400_000 + '",c\n4,5\n'
    assert records(text, keep=4) == [["a", "خط\nخ", "c"], ["4", "5"]]


def test_bounded_csv_lines_refuse_a_quote_that_runs_to_the_end():
    with pytest.raises(csv.Error):
        records('a,b\n1,"never closed' + "x" * 100, keep=10)


def test_bounded_csv_lines_one_line_end_when_a_crlf_is_split_between_pieces():
    assert records("abc\r\nd\r\n", chunk=4) == [["abc"], ["d"]]


SST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<si><t>زهرا</t></si>"
    '<si><r><rPr><b/></rPr><t>کارگاه </t></r><r><t xml:space="preserve">گلیم</t></r>'
    '<rPh sb="0" eb="1"><t>phonetic</t></rPh></si>'
    "<si><t>{giant}</t></si>"
    "<si><t/></si>"
    "</sst>"
)


def test_read_shared_strings_like_openpyxl_and_cut():
    from openpyxl.reader.strings import read_string_table

    data = SST.format(giant="y" * 300_000).encode()
    assert read_shared_strings(io.BytesIO(data), keep=10**6, max_strings=10) == read_string_table(
        io.BytesIO(data)
    )
    assert read_shared_strings(io.BytesIO(data), keep=4, max_strings=10) == ["زهرا", "کارگ", "yyyy", ""]


def test_read_shared_strings_refuses_too_many_and_a_doctype():
    data = SST.format(giant="y").encode()
    with pytest.raises(TooManyStrings):
        read_shared_strings(io.BytesIO(data), keep=10, max_strings=3)
    doctype = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaa">]><sst><si><t>&a;</t></si></sst>'
    with pytest.raises(ValueError):
        read_shared_strings(io.BytesIO(doctype), keep=10, max_strings=3)


def test_csv_writer_keeps_formulas_as_text():
    out = io.StringIO(newline="")
    writer = CsvWriter(out)
    writer.writerow(
        ['=HYPERLINK("http://evil.example/t","x")', "+98", "-1", "@SUM(A1)", "\tx", "\rx", 5, "a=b"]
    )
    writer.writerows([["=1"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ['\'=HYPERLINK("http://evil.example/t","x")', "'+98", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "5", "a=b"],
        ["'=1"],
    ]


def xlsx_rows(data: bytes) -> list[tuple]:
    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


def test_xlsx_bytes_drops_characters_a_worksheet_cannot_hold():
    # Text stored before normalize() dropped control characters (older registry imports) still
    # reaches the exports; U+FFFE, U+FFFF and a lone surrogate openpyxl writes, but the file then
    # does not open.
    data = xlsx_bytes(
        "غرفه‌داران",
        ["نام\x07"],
        [["گلیم\x00 دستباف\x1b", "a\x0bb\x0cc", "x\ufffey\uffffz\ud800", "خط\nدوم\tجدول", "=1"]],
    )
    assert xlsx_rows(data) == [
        ("نام",),
        ("گلیم دستباف", "abc", "xyz", "خط\nدوم\tجدول", "=1"),
    ]


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(exclude_characters="_\r", exclude_categories=()), max_size=12))
def test_xlsx_bytes_writes_any_text_that_reads_back_without_the_dropped_characters(text):
    # "_" is left out because Excel's _xHHHH_ escapes are read back as characters, "\r" because XML
    # reads it as "\n".
    kept = "".join(
        c
        for c in text
        if c in "\t\n" or not ("\x00" <= c < " " or c in "\ufffe\uffff" or "\ud800" <= c <= "\udfff")
    )
    assert xlsx_rows(xlsx_bytes("s", ["h"], [[text]])) == [("h",), (kept or None,)]
