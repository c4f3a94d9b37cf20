"""Pass codes (alphabet, length, normalising what a gate reads), issuing, re-issuing and the days a pass admits."""

import datetime
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booths.gate.passes import (
    ALPHABET,
    CODE_LENGTH,
    grouped,
    is_valid_on,
    issue_passes,
    live_passes,
    new_code,
    normalize_code,
    reissue,
    valid_days,
)
from booths.models import Pass
from tests import factories
from tests.booths.gate.helpers import confirmed

codes = st.text(alphabet=ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH)
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _is_foreign(ch: str) -> bool:
    """Neither a letter of the alphabet in another form (lower case, a Persian digit) nor a separator."""
    return normalize_code(ch * CODE_LENGTH) is None and normalize_code(ch + "2" * CODE_LENGTH) is None


def test_alphabet_has_no_look_alikes_and_codes_carry_over_128_bits():
    assert set(ALPHABET).isdisjoint("0O1IL UV")
    assert len(set(ALPHABET)) == len(ALPHABET) == 29
    assert CODE_LENGTH * math.log2(len(ALPHABET)) > 128


def test_new_code_is_of_the_alphabet_and_length_and_never_repeats():
    drawn = [new_code() for _ in range(5000)]
    assert all(len(code) == CODE_LENGTH and set(code) <= set(ALPHABET) for code in drawn)
    assert len(set(drawn)) == len(drawn)
    # Every letter turns up: the draw is not stuck on part of the alphabet.
    assert set("".join(drawn)) == set(ALPHABET)


@settings(deadline=None)
@given(codes, st.data())
def test_normalize_code_accepts_what_people_and_scanners_make_of_a_code(code, data):
    text = code
    if data.draw(st.booleans()):
        text = text.lower()
    digits = data.draw(st.sampled_from([None, PERSIAN_DIGITS, ARABIC_DIGITS]))
    if digits:
        text = text.translate(digits)
    separators = data.draw(st.lists(st.sampled_from([" ", "-", "  ", " - ", "\u200c"]), max_size=10))
    for separator in separators:
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + separator + text[at:]
    assert normalize_code(text) == code
    assert normalize_code(f"  {grouped(code)}\n") == code


@settings(deadline=None)
@given(codes, st.data())
def test_normalize_code_refuses_a_code_of_another_length(code, data):
    shorter = code[: data.draw(st.integers(0, CODE_LENGTH - 1))]
    longer = code + data.draw(st.text(alphabet=ALPHABET, min_size=1, max_size=5))
    assert normalize_code(shorter) is None
    assert normalize_code(longer) is None


@settings(max_examples=300, deadline=None)
@given(codes, st.integers(0, CODE_LENGTH - 1), st.characters().filter(_is_foreign))
def test_normalize_code_refuses_any_foreign_character(code, at, foreign):
    assert normalize_code(code[:at] + foreign + code[at + 1 :]) is None
    assert normalize_code(code[:at] + foreign + code[at:]) is None


@pytest.mark.parametrize("look_alike", ["0", "O", "o", "1", "I", "i", "L", "l", "U", "V", "۰", "۱", "٠", "١"])
def test_normalize_code_refuses_look_alikes(look_alike):
    code = new_code()
    assert normalize_code(look_alike + code[1:]) is None


@pytest.mark.parametrize("text", ["", "   ", "-" * 27, None, 12345])
def test_normalize_code_refuses_empty_and_odd_input(text):
    assert normalize_code(text) is None


@pytest.fixture
def booth_site(db):
    today = datetime.date.today()
    site = factories.site(start_date=today, end_date=today + datetime.timedelta(days=5), helpers_per_booth=2)
    hall = factories.hall(site, name_fa="سالن اصلی")
    return site, factories.booth(hall, code="A-12"), today


def test_issue_passes_gives_the_vendor_and_each_helper_one_and_is_idempotent(booth_site):
    site, booth, today = booth_site
    application, passes = confirmed(site, booth, [today], helpers=2)

    assert [p.holder for p in passes] == [Pass.Holder.VENDOR, Pass.Holder.HELPER, Pass.Holder.HELPER]
    assert passes[0].holder_name == application.vendor.full_name
    assert len({p.code for p in passes}) == 3
    again = issue_passes(application)
    assert [p.pk for p in again] == [p.pk for p in passes]
    assert Pass.objects.filter(application=application).count() == 3


def test_issue_passes_stops_at_the_sites_helpers_per_booth(booth_site):
    site, booth, today = booth_site
    _application, passes = confirmed(site, booth, [today], helpers=5)

    assert [p.holder for p in passes].count(Pass.Holder.HELPER) == 2


def test_reissue_revokes_the_old_code_and_issues_a_new_one(booth_site):
    site, booth, today = booth_site
    _application, (old,) = confirmed(site, booth, [today])

    new = reissue(old)

    old.refresh_from_db()
    assert old.revoked_at is not None
    assert new.revoked_at is None
    assert new.code != old.code
    assert normalize_code(new.code) == new.code
    assert (new.holder, new.holder_name, new.application_id, new.site_id) == (
        old.holder,
        old.holder_name,
        old.application_id,
        old.site_id,
    )
    assert list(live_passes(site)) == [new]
    assert is_valid_on(old, today) is False
    assert is_valid_on(new, today) is True
    # Re-issuing a revoked pass again changes nothing about the old one.
    revoked_at = old.revoked_at
    reissue(old)
    old.refresh_from_db()
    assert old.revoked_at == revoked_at


def test_a_pass_is_valid_on_its_assigned_days_only(booth_site):
    site, booth, today = booth_site
    days = [today, today + datetime.timedelta(days=2)]
    confirmed(site, booth, days)

    fetched = live_passes(site).get()
    assert valid_days(fetched) == days
    assert is_valid_on(fetched, today) is True
    assert is_valid_on(fetched, today + datetime.timedelta(days=1)) is False
    assert is_valid_on(fetched, today + datetime.timedelta(days=2)) is True


def test_grouped_code_reads_in_threes():
    assert grouped("ABCDEFGHJ") == "ABC DEF GHJ"
