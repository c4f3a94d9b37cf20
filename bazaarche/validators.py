"""Cleaners and validators for Iranian identifiers: national ID, mobile, tracking and postal codes."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bazaarche.text import normalize

# Separators people type inside numbers; anything else makes the value invalid.
_SEPARATORS = re.compile(r"[ \-]")
_PHONE_SEPARATORS = re.compile(r"[ \-()]")
# [0-9], never \d: \d also matches Persian, Arabic-Indic and dozens of other digit sets.
_ASCII_DIGITS = re.compile(r"[0-9]+")
_NATIONAL_ID = re.compile(r"[0-9]{8,10}")
# Country code as +98, 0098 or 98, then an optional trunk 0 ("+98 (0)912…"); or no country
# code, with or without the trunk 0.
_MOBILE = re.compile(r"(?:(?:\+|00)?98)?0?(9[0-9]{9})")

NATIONAL_ID_MESSAGE = _("Enter a valid 10-digit national ID.")
MOBILE_MESSAGE = _("Enter an Iranian mobile number such as 09121234567.")
TRACKING_CODE_MESSAGE = _("Enter a tracking code of 8 to 20 digits.")
POSTAL_CODE_MESSAGE = _("Enter a 10-digit postal code.")
COMPANY_ID_MESSAGE = _("Enter the company's 11-digit national ID.")


def national_id_checksum_ok(digits10: str) -> bool:
    """Whether ten ASCII digits satisfy the national ID check digit (all-same digits are not rejected here)."""
    if len(digits10) != 10 or not _ASCII_DIGITS.fullmatch(digits10):
        return False
    digits = [int(c) for c in digits10]
    remainder = sum(digit * (10 - i) for i, digit in enumerate(digits[:9])) % 11
    expected = remainder if remainder < 2 else 11 - remainder
    return digits[9] == expected


def clean_national_id(value: str) -> str:
    """Return the national ID as 10 ASCII digits, or raise ValidationError (code "bad_national_id")."""
    digits = _SEPARATORS.sub("", normalize(value))
    if not _NATIONAL_ID.fullmatch(digits):
        raise ValidationError(NATIONAL_ID_MESSAGE, code="bad_national_id")
    # Spreadsheets drop leading zeros, so 8 and 9 digit IDs are 10 digit IDs that lost them.
    digits = digits.zfill(10)
    # 0000000000, 1111111111 … pass the checksum, but are placeholders typed to get past a form.
    if len(set(digits)) == 1 or not national_id_checksum_ok(digits):
        raise ValidationError(NATIONAL_ID_MESSAGE, code="bad_national_id")
    return digits


def clean_mobile(value: str) -> str:
    """Return an Iranian mobile number as 09XXXXXXXXX, or raise ValidationError (code "bad_mobile")."""
    compact = _PHONE_SEPARATORS.sub("", normalize(value))
    match = _MOBILE.fullmatch(compact)
    if match is None:
        raise ValidationError(MOBILE_MESSAGE, code="bad_mobile")
    return "0" + match.group(1)


def clean_digits(value: str, min_len: int, max_len: int, code: str, message: str | Promise) -> str:
    """Return value as min_len to max_len ASCII digits (spaces and dashes dropped), or raise ValidationError."""
    digits = _SEPARATORS.sub("", normalize(value))
    if not (_ASCII_DIGITS.fullmatch(digits) and min_len <= len(digits) <= max_len):
        raise ValidationError(message, code=code)
    return digits


def clean_tracking_code(value: str) -> str:
    """Return a registry tracking code (کد رهگیری) as 8 to 20 ASCII digits."""
    return clean_digits(value, 8, 20, "bad_tracking_code", TRACKING_CODE_MESSAGE)


def clean_postal_code(value: str) -> str:
    """Return a postal code as 10 ASCII digits."""
    return clean_digits(value, 10, 10, "bad_postal_code", POSTAL_CODE_MESSAGE)


def clean_company_id(value: str) -> str:
    """Return a support company's national ID (شناسه ملی) as 11 ASCII digits."""
    return clean_digits(value, 11, 11, "bad_company_id", COMPANY_ID_MESSAGE)


def validate_national_id(value: str) -> None:
    """Field validator: raise ValidationError unless value cleans to a valid national ID."""
    clean_national_id(value)


def validate_mobile(value: str) -> None:
    """Field validator: raise ValidationError unless value cleans to an Iranian mobile number."""
    clean_mobile(value)


def parse_pk(text: object) -> int | None:
    """A primary key typed into a form or a query string, or None: ASCII digits only ("²".isdigit() is
    true and int() refuses it), at most 18 of them (int() refuses thousands, and no key is that large;
    every 18-digit number fits a 64-bit column)."""
    text = str(text)
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None
