"""Tests for Persian text normalisation, the search key and digit conversion."""

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from bazaarche.text import (
    digits_for_language,
    fold,
    is_persian,
    normalize,
    normalize_multiline,
    to_ascii_digits,
    to_persian_digits,
)

ZWNJ = "\u200c"
# What normalised text must never contain.
FORBIDDEN = set(
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"  # Persian and Arabic-Indic digits
    "يىۍېكڪ"  # Arabic yeh and kaf variants
    "\u0640"  # tatweel
    "\u00ad\u061c\u200b\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
) | {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]} - {"\n"}  # control characters

# Characters the normaliser treats specially, mixed with arbitrary Unicode so that hypothesis
# explores both what users really paste and the corners of NFKC.
SPECIAL = list(
    "علیيىكکخرمآباد ٓٔ ًٌٍَُِّْٰـ"
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩0123456789"
    "أإٱؤئةۀە"
    " \t\n\r\u00a0\u2009\u202f\u2028\u3000"
    "\x00\x07\x1b\x1f\x7f\x85\x9b"
    "\u200c\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u00ad"
    "ﻋﻠﻲﻙﺁﻻ\ufe71\ufe77１２"
    "aAßİ\u0301\u0323가"
)
persian_text = st.text(alphabet=st.one_of(st.sampled_from(SPECIAL), st.characters()), max_size=40)


def test_normalize_none_is_empty():
    assert normalize(None) == ""


def test_normalize_arabic_letters_become_persian():
    assert normalize("علي كريمى") == "علی کریمی"


def test_normalize_digits_become_ascii():
    assert normalize("۱۲۳ ٤٥٦ 789") == "123 456 789"


def test_normalize_tatweel_removed():
    assert normalize("کـــتاب") == "کتاب"


def test_normalize_direction_marks_removed():
    assert normalize("\u202b\u200fخرم\u200eآباد\u202c\ufeff") == "خرمآباد"


def test_normalize_control_characters_removed():
    assert normalize("\x00گلیم\x1b[31m \x07زهرا\x7f\x9b") == "گلیم[31m زهرا"


def test_normalize_multiline_control_characters_removed_line_breaks_kept():
    assert normalize_multiline("گلیم\x00\r\nزهرا\x1b") == "گلیم\nزهرا"


def test_normalize_zwnj_kept_inside_word():
    assert normalize("خرم\u200cآباد") == "خرم\u200cآباد"


def test_normalize_zwnj_repeated_collapses():
    assert normalize("خرم\u200c\u200c\u200cآباد") == "خرم\u200cآباد"


def test_normalize_zwnj_touching_space_or_end_removed():
    assert normalize("\u200cمی\u200c خواهم \u200cرفت\u200c") == "می خواهم رفت"


def test_normalize_zwj_removed():
    assert normalize("لا\u200dله") == "لاله"


def test_normalize_whitespace_collapsed_and_stripped():
    assert normalize("\t a\u00a0\u00a0b\nc\u202fd\u2009e  ") == "a b c d e"


def test_normalize_presentation_forms_become_letters():
    assert normalize("ﻋﻠﻲ ١٢") == "علی 12"


def test_normalize_long_zwnj_run_is_fast():
    assert normalize(ZWNJ * 200_000 + "a") == "a"


@given(persian_text)
def test_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


@given(persian_text)
def test_normalize_output_is_clean(text):
    result = normalize(text)
    assert set(result) & FORBIDDEN == set()
    assert "  " not in result
    assert result == result.strip()
    assert [c for c in result if c.isspace() and c != " "] == []
    assert ZWNJ * 2 not in result
    assert " " + ZWNJ not in result
    assert ZWNJ + " " not in result
    assert not result.startswith(ZWNJ)
    assert not result.endswith(ZWNJ)


def test_normalize_multiline_keeps_line_breaks():
    assert normalize_multiline("  خیابان  امام ،\r\n  کوچه ۳  \n") == "خیابان امام ،\nکوچه 3"


def test_normalize_multiline_collapses_blank_lines():
    assert normalize_multiline("\n\nالف\n\n\n\n \t \nب\n\nپ\n\n\n") == "الف\n\nب\n\nپ"


def test_normalize_multiline_none_is_empty():
    assert normalize_multiline(None) == ""


@given(persian_text)
def test_normalize_multiline_is_idempotent(text):
    assert normalize_multiline(normalize_multiline(text)) == normalize_multiline(text)


@given(persian_text)
def test_normalize_multiline_lines_are_normalized(text):
    result = normalize_multiline(text)
    assert [line for line in result.split("\n") if normalize(line) != line] == []
    assert "\n\n\n" not in result
    assert result == result.strip()


@given(persian_text)
def test_normalize_multiline_joined_equals_normalize(text):
    assert normalize(normalize_multiline(text)) == normalize(text)


def test_fold_arabic_and_persian_yeh_equal():
    assert fold("علي") == fold("علی")


def test_fold_zwnj_space_and_joined_equal():
    assert fold("خرم‌آباد") == "خرماباد"
    assert fold("خرم آباد") == "خرماباد"
    assert fold("خرمآباد") == "خرماباد"


def test_fold_hamza_seats_and_taa_marbuta():
    assert fold("أإٱؤئة") == "اااویه"
    assert fold("خانهٔ") == fold("خانۀ") == "خانه"


def test_fold_diacritics_removed():
    assert fold("مُحَمَّد") == "محمد"


def test_fold_case_insensitive():
    assert fold("Bazaar ۱۲") == fold("BAZAAR 12") == "bazaar12"


def test_fold_none_is_empty():
    assert fold(None) == ""


@given(persian_text)
def test_fold_ignores_normalize(text):
    assert fold(normalize(text)) == fold(text)


@given(persian_text)
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(persian_text)
def test_fold_has_no_spaces_or_zwnj(text):
    result = fold(text)
    assert [c for c in result if c.isspace() or c == ZWNJ] == []


def test_to_persian_digits_converts_ascii_and_arabic_indic():
    assert to_persian_digits("Booth 12, ٣٤") == "Booth ۱۲, ۳۴"


def test_to_ascii_digits_converts_persian_and_arabic_indic():
    assert to_ascii_digits("غرفه ۱۲، ٣٤") == "غرفه 12، 34"


@given(persian_text)
def test_to_ascii_digits_inverts_to_persian_digits(text):
    assert to_ascii_digits(to_persian_digits(text)) == to_ascii_digits(text)
    assert set(to_persian_digits(text)) & set("0123456789٠١٢٣٤٥٦٧٨٩") == set()


def test_digits_for_language_explicit():
    assert digits_for_language("Booth 12", "fa") == "Booth ۱۲"
    assert digits_for_language("Booth 12", "fa-ir") == "Booth ۱۲"
    assert digits_for_language("Booth 12", "en") == "Booth 12"


def test_digits_for_language_follows_active_language():
    with translation.override("fa"):
        assert digits_for_language("1404") == "۱۴۰۴"
    with translation.override("en"):
        assert digits_for_language("1404") == "1404"


def test_is_persian_languages():
    assert [is_persian(code) for code in ("fa", "fa-IR", "fa_IR", "en", "en-us", "")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def test_digits_for_language_latin_in_english():
    # Whatever is stored, an English reader gets Latin digits (text stored before normalisation).
    assert digits_for_language("نمایشگاه ۱۴۰۵ · ٣", "en") == "نمایشگاه 1405 · 3"
    assert digits_for_language("1 × 1٫5", "fa") == "۱ × ۱٫۵"
