"""Persian text normalisation: one canonical stored form, one search key, and digit conversion."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import get_language

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
ASCII_DIGITS = "0123456789"

ZWNJ = "\u200c"
PERSIAN_YEH = "\u06cc"
PERSIAN_KAF = "\u06a9"

# Invisible characters that only steer rendering. Pasted text is full of them and they make
# equal-looking strings compare unequal. ZWNJ is missing on purpose: it is Persian orthography.
# ZWSP and WORD JOINER go too, because they are equally invisible and carry no meaning here.
_INVISIBLE = (
    "\u00ad"  # soft hyphen
    "\u061c"  # arabic letter mark
    "\u0640"  # tatweel: decorative stretching, never part of the word
    "\u200b"  # zero width space
    "\u200d"  # zero width joiner
    "\u200e\u200f"  # LRM, RLM
    "\u202a\u202b\u202c\u202d\u202e"  # LRE, RLE, PDF, LRO, RLO
    "\u2060"  # word joiner
    "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI
    "\ufeff"  # BOM / ZWNBSP
)

# Control characters (NUL, ESC, DEL, the C1 set) mean nothing in a name or a description and break
# spreadsheet exports; the ones that are whitespace (tab, line breaks) are left to become spaces.
_CONTROL = "".join(c for c in map(chr, [*range(0x20), *range(0x7F, 0xA0)]) if not c.isspace())

_LETTER_MAP = {
    "\u064a": PERSIAN_YEH,  # ي arabic yeh
    "\u0649": PERSIAN_YEH,  # ى alef maksura, typed for final yeh on Arabic keyboards
    "\u06cd": PERSIAN_YEH,  # ۍ yeh with tail
    "\u06d0": PERSIAN_YEH,  # ې e
    "\u0643": PERSIAN_KAF,  # ك arabic kaf
    "\u06aa": PERSIAN_KAF,  # ڪ swash kaf
}

_NORMALIZE_TABLE = str.maketrans(
    {
        **{c: ASCII_DIGITS[i] for i, c in enumerate(PERSIAN_DIGITS)},
        **{c: ASCII_DIGITS[i] for i, c in enumerate(ARABIC_INDIC_DIGITS)},
        **_LETTER_MAP,
        **dict.fromkeys(_INVISIBLE),
        **dict.fromkeys(_CONTROL),
    }
)

_TO_PERSIAN_TABLE = str.maketrans(
    {
        **{c: PERSIAN_DIGITS[i] for i, c in enumerate(ASCII_DIGITS)},
        **{c: PERSIAN_DIGITS[i] for i, c in enumerate(ARABIC_INDIC_DIGITS)},
    }
)
_TO_ASCII_TABLE = str.maketrans(
    {
        **{c: ASCII_DIGITS[i] for i, c in enumerate(PERSIAN_DIGITS)},
        **{c: ASCII_DIGITS[i] for i, c in enumerate(ARABIC_INDIC_DIGITS)},
    }
)

# The search key drops what people type inconsistently: hamza and madda seats, taa marbuta,
# short-vowel marks, and where (or whether) they put a space or ZWNJ between word parts.
_FOLD_TABLE = str.maketrans(
    {
        "آ": "ا",
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": PERSIAN_YEH,
        "ة": "ه",
        "\u06d5": "ه",  # ە: what ۀ (heh with hamza) leaves once decomposed
        **_LETTER_MAP,
        **dict.fromkeys(chr(c) for c in range(0x064B, 0x0660)),
        "\u0670": None,  # superscript alef
        ZWNJ: None,
    }
)

# A run of whitespace and ZWNJs that holds at least one whitespace character: ZWNJ next to a
# space joins nothing, so the whole run becomes one space.
_SPACE_RUN = re.compile(rf"[\s{ZWNJ}]*\s[\s{ZWNJ}]*")
_ZWNJ_RUN = re.compile(f"{ZWNJ}{{2,}}")
_ANY_SPACE = re.compile(r"\s+")


def _clean_characters(text: str) -> str:
    # Invisible marks go before NFKC, so that a letter and a combining mark they separated
    # are composed in this pass and not in the next (that would break idempotence). NFKC turns
    # Arabic presentation forms and full-width digits (common in text pasted from PDFs) into
    # ordinary letters; the table runs again for the Arabic letters and tatweels that yields.
    text = text.translate(_NORMALIZE_TABLE)
    text = unicodedata.normalize("NFKC", text)
    return text.translate(_NORMALIZE_TABLE)


def _clean_line(text: str) -> str:
    # ZWNJ runs first: _SPACE_RUN backtracks quadratically over a long run of bare ZWNJs.
    text = _ZWNJ_RUN.sub(ZWNJ, text)
    text = _SPACE_RUN.sub(" ", text)
    return text.strip(" " + ZWNJ)


def normalize(text: str | None) -> str:
    """Return the canonical stored form: ASCII digits, Persian ی and ک, no invisible marks, single spaces."""
    if text is None:
        return ""
    return _clean_line(_clean_characters(str(text)))


def normalize_multiline(text: str | None) -> str:
    """Like normalize, but keep line breaks, allowing at most one blank line in a row."""
    if text is None:
        return ""
    lines = [_clean_line(line) for line in _clean_characters(str(text)).splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def fold(text: str | None) -> str:
    """Return the search key: normalised, case-folded, without hamza/madda/diacritics, spaces or ZWNJ."""
    folded = normalize(text)
    # The Unicode recipe for compatibility caseless matching. Decomposing also splits آ, أ, ؤ,
    # ئ and ۀ into a base letter plus a combining mark that the table then drops, and leaves
    # nothing composed that a later normalize() could compose differently.
    folded = unicodedata.normalize("NFKD", folded.casefold())
    folded = unicodedata.normalize("NFKD", folded.casefold())
    folded = _ANY_SPACE.sub("", folded.translate(_FOLD_TABLE))
    # Dropping marks and spaces can bring combining marks together that need reordering.
    return unicodedata.normalize("NFKD", folded)


def to_persian_digits(text: str) -> str:
    """Replace ASCII and Arabic-Indic digits with Persian digits."""
    return str(text).translate(_TO_PERSIAN_TABLE)


def to_ascii_digits(text: str) -> str:
    """Replace Persian and Arabic-Indic digits with ASCII digits."""
    return str(text).translate(_TO_ASCII_TABLE)


def is_persian(language: str | None = None) -> bool:
    """Whether the language (default: the active one) is Persian, with or without a region."""
    if language is None:
        language = get_language()
    return bool(language) and language.lower().replace("_", "-").split("-")[0] == "fa"


def digits_for_language(text: str, language: str | None = None) -> str:
    """Show digits the way the language (default: the active one) writes them: Persian digits for fa,
    Latin digits otherwise, whatever the text was stored with.

    This is for text people read. Links, codes typed back or scanned (pass codes, tracking codes in
    inputs) and ids keep their digits.
    """
    return to_persian_digits(text) if is_persian(language) else to_ascii_digits(text)
