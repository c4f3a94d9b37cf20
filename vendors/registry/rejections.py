"""Why a file is refused or a row rejected: the stable codes and their messages in Persian and English.

A rejection carries a code (the report's `code` column, stable for whoever reads the report) and a
reason in both languages, since one report goes to Persian and English readers alike. The messages
are msgids in the catalogue, so the Persian wording is decided there.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from bazaarche.text import to_persian_digits

from .columns import COLUMNS_BY_KEY, Column

# How much of a value a reason or a verdict repeats.
SHOWN_VALUE_CHARS = 60

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


class RowError(Exception):
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
