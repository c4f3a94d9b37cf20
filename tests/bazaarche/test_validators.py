"""Tests for the national ID, mobile and digit-code cleaners."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from bazaarche.text import to_persian_digits
from bazaarche.validators import (
    clean_company_id,
    clean_digits,
    clean_mobile,
    clean_national_id,
    clean_postal_code,
    clean_tracking_code,
    national_id_checksum_ok,
    validate_mobile,
    validate_national_id,
)

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def residue(digits10: str) -> int:
    return sum(int(c) * (10 - i) for i, c in enumerate(digits10[:9])) % 11


def with_check_digit(first9: str) -> str:
    r = residue(first9 + "0")
    return first9 + str(r if r < 2 else 11 - r)


valid_national_ids = (
    st.text(alphabet="0123456789", min_size=9, max_size=9)
    .map(with_check_digit)
    .filter(lambda digits: len(set(digits)) > 1)
)


def error_code(clean, value: str) -> str:
    with pytest.raises(ValidationError) as info:
        clean(value)
    return info.value.code


@pytest.mark.parametrize("national_id", ["0499370899", "0084575948", "1234567891"])
def test_national_id_checksum_ok_product_examples_valid(national_id):
    assert national_id_checksum_ok(national_id) is True
    assert clean_national_id(national_id) == national_id


@pytest.mark.parametrize("national_id", ["0499370898", "1111111111"])
def test_clean_national_id_product_examples_invalid(national_id):
    assert error_code(clean_national_id, national_id) == "bad_national_id"


def test_national_id_checksum_ok_all_same_digits_pass_checksum_only():
    # Why clean_national_id rejects all-same digits separately: the checksum lets them through.
    assert [national_id_checksum_ok(str(d) * 10) for d in range(10)] == [True] * 10
    assert [error_code(clean_national_id, str(d) * 10) for d in range(10)] == ["bad_national_id"] * 10


def test_national_id_checksum_ok_rejects_non_ascii_and_wrong_length():
    assert national_id_checksum_ok("۰۴۹۹۳۷۰۸۹۹") is False
    assert national_id_checksum_ok("499370899") is False
    assert national_id_checksum_ok("04993708990") is False


def test_clean_national_id_pads_nine_digits():
    assert clean_national_id("499370899") == "0499370899"


def test_clean_national_id_pads_eight_digits():
    assert clean_national_id("84575948") == "0084575948"


def test_clean_national_id_persian_digits_and_separators():
    assert clean_national_id(" ۰۴۹-۹۳۷۰۸۹-۹\u200f") == "0499370899"
    assert clean_national_id("٠٤٩٩ ٣٧٠ ٨٩٩") == "0499370899"


@pytest.mark.parametrize("value", ["", "1234567", "12345678901", "04993708a9", "0499370899.", "+499370899"])
def test_clean_national_id_malformed(value):
    assert error_code(clean_national_id, value) == "bad_national_id"


def test_clean_national_id_message_in_english():
    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            clean_national_id("0499370898")
        # The message is lazy: it is translated when read, so read it inside the override.
        assert info.value.messages == ["Enter a valid 10-digit national ID."]


@given(valid_national_ids)
def test_clean_national_id_accepts_computed_checksums(national_id):
    assert clean_national_id(national_id) == national_id
    assert clean_national_id(to_persian_digits(national_id)) == national_id
    assert clean_national_id(national_id.translate(ARABIC_INDIC)) == national_id


@given(valid_national_ids)
def test_clean_national_id_accepts_zero_stripped_forms(national_id):
    if national_id.startswith("0"):
        assert clean_national_id(national_id[1:]) == national_id
    if national_id.startswith("00"):
        assert clean_national_id(national_id[2:]) == national_id


@given(valid_national_ids, st.integers(0, 9), st.integers(1, 9))
def test_national_id_single_digit_change_detected_unless_residue_swaps_1_and_10(national_id, position, shift):
    # The check digit is 1 for residue 1 and for residue 10, so a change that moves the
    # residue from one to the other goes unnoticed; every other single-digit change is caught.
    changed_digit = str((int(national_id[position]) + shift) % 10)
    changed = national_id[:position] + changed_digit + national_id[position + 1 :]
    undetectable = position < 9 and {residue(national_id), residue(changed)} == {1, 10}
    assert national_id_checksum_ok(changed) == undetectable


def test_national_id_single_digit_change_example_not_detected():
    # 1234567891 has residue 1; 1234567881 has residue 10; both need check digit 1.
    assert (residue("1234567891"), residue("1234567881")) == (1, 10)
    assert clean_national_id("1234567881") == "1234567881"


@given(valid_national_ids, st.integers(1, 9))
def test_national_id_check_digit_change_always_detected(national_id, shift):
    changed = national_id[:9] + str((int(national_id[9]) + shift) % 10)
    assert national_id_checksum_ok(changed) is False


def test_validate_national_id_returns_none_or_raises():
    assert validate_national_id("0499370899") is None
    assert error_code(validate_national_id, "0499370898") == "bad_national_id"


@pytest.mark.parametrize(
    "value",
    [
        "09123456789",
        "9123456789",
        "+989123456789",
        "00989123456789",
        "989123456789",
        "+98 (0)912 345 6789",
        "0098-912-345-6789",
        "(0912) 345-67-89",
        "۰۹۱۲۳۴۵۶۷۸۹",
        "+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹",
        "٠٩١٢٣٤٥٦٧٨٩",
        "\u200e+98 912 345 6789\u200e",
    ],
)
def test_clean_mobile_accepted_forms(value):
    assert clean_mobile(value) == "09123456789"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "08123456789",
        "0912345678",
        "091234567890",
        "+19123456789",
        "+09123456789",
        "009123456789",
        "0912345678a",
        "0912.345.6789",
        "98+9123456789",
    ],
)
def test_clean_mobile_rejected_forms(value):
    assert error_code(clean_mobile, value) == "bad_mobile"


def test_clean_mobile_message_in_english():
    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            clean_mobile("12345")
        assert info.value.messages == ["Enter an Iranian mobile number such as 09121234567."]


@given(
    subscriber=st.text(alphabet="0123456789", min_size=9, max_size=9),
    prefix=st.sampled_from(["+98", "0098", "98", "+980", "00980", "0", ""]),
    separator=st.sampled_from(["", " ", "-"]),
    persian=st.booleans(),
)
def test_clean_mobile_every_prefix_gives_canonical_form(subscriber, prefix, separator, persian):
    number = f"{prefix}{separator}9{subscriber[:2]}{separator}{subscriber[2:5]}{separator}{subscriber[5:]}"
    if persian:
        number = to_persian_digits(number)
    assert clean_mobile(number) == "09" + subscriber


@given(st.text(max_size=20))
def test_clean_mobile_output_is_canonical_or_raises(value):
    try:
        result = clean_mobile(value)
    except ValidationError as error:
        assert error.code == "bad_mobile"
    else:
        assert result.startswith("09")
        assert len(result) == 11
        assert set(result) <= set("0123456789")


@given(st.text(max_size=20))
def test_clean_national_id_output_is_valid_or_raises(value):
    try:
        result = clean_national_id(value)
    except ValidationError as error:
        assert error.code == "bad_national_id"
    else:
        assert national_id_checksum_ok(result) is True
        assert len(set(result)) > 1


def test_validate_mobile_returns_none_or_raises():
    assert validate_mobile("09123456789") is None
    assert error_code(validate_mobile, "0912") == "bad_mobile"


def test_clean_tracking_code_lengths():
    assert clean_tracking_code("۱۲۳۴-۵۶۷۸") == "12345678"
    assert clean_tracking_code("1" * 20) == "1" * 20
    assert error_code(clean_tracking_code, "1234567") == "bad_tracking_code"
    assert error_code(clean_tracking_code, "1" * 21) == "bad_tracking_code"


def test_clean_postal_code_ten_digits():
    assert clean_postal_code("۶۸۱۳۷ ۱۴۵۶۷") == "6813714567"
    assert error_code(clean_postal_code, "681371456") == "bad_postal_code"
    assert error_code(clean_postal_code, "68137-1456x") == "bad_postal_code"


def test_clean_company_id_eleven_digits():
    assert clean_company_id("١٠٨٦١٢٣٤٥٦٧") == "10861234567"
    assert error_code(clean_company_id, "1086123456") == "bad_company_id"


@given(
    st.text(alphabet="0123456789", min_size=1, max_size=30),
    st.integers(1, 15),
    st.integers(0, 15),
)
def test_clean_digits_accepts_exactly_the_length_range(digits, min_len, extra):
    max_len = min_len + extra
    try:
        result = clean_digits(to_persian_digits(digits), min_len, max_len, "bad", "Bad.")
    except ValidationError as error:
        assert error.code == "bad"
        assert not min_len <= len(digits) <= max_len
    else:
        assert result == digits
        assert min_len <= len(digits) <= max_len
