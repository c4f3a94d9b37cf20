"""A booth's price as a vendor reads it: tomans with the page's digits and grouping, or free."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booths.plans.prices import PriceRange, price_range_text, price_ranges, price_text, tomans
from tests import factories


def test_price_text_is_in_tomans_with_persian_digits_and_grouping():
    assert price_text(5_000_000, "fa") == "۵۰۰٬۰۰۰ تومان"
    assert price_text(5_000_000, "en") == "500,000 tomans"


def test_price_text_of_nothing_says_free():
    assert price_text(0, "fa") == "رایگان"
    assert price_text(0, "en") == "Free"


def test_price_text_keeps_a_tenth_of_a_toman():
    assert price_text(12_345, "fa") == "۱٬۲۳۴٫۵ تومان"
    assert price_text(12_345, "en") == "1,234.5 tomans"


def test_price_range_text_says_one_price_when_all_are_the_same():
    assert price_range_text(0, 0, "fa") == "رایگان"
    assert price_range_text(2_000_000, 2_000_000, "fa") == "۲۰۰٬۰۰۰ تومان"


def test_price_range_text_gives_both_ends():
    assert price_range_text(0, 5_000_000, "fa") == "از ۰ تا ۵۰۰٬۰۰۰ تومان"
    assert price_range_text(0, 5_000_000, "en") == "from 0 to 500,000 tomans"


@given(st.integers(min_value=0, max_value=10**12))
def test_tomans_times_ten_is_the_rials(rials):
    assert tomans(rials) * 10 == rials


@pytest.mark.django_db
def test_price_ranges_leave_out_blocked_booths_and_sites_without_booths():
    site, bare = factories.site(), factories.site()
    hall = factories.hall(site)
    factories.booth(hall, price=0)
    factories.booth(hall, price=5_000_000)
    factories.booth(hall, price=90_000_000, blocked=True)
    assert price_ranges([site.pk, bare.pk]) == {site.pk: PriceRange(0, 5_000_000)}
