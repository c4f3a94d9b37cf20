"""Number boxes: Persian, Arabic or Latin digits in, and both bounds always, said in the page's digits."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from bazaarche.fields import DecimalNumberField, NumberField, show_number


class PriceForm(forms.Form):
    price = NumberField(min_value=0, max_value=10**12)
    size = DecimalNumberField(min_value=1, max_value=1000, max_digits=6, decimal_places=2, required=False)


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        ("۱۲٬۰۰۰", {}),
        ("9223372036854775808", {"price": ["عددی از ۰ تا ۱٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰ بنویسید."]}),
        ("-1", {"price": ["عددی از ۰ تا ۱٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰ بنویسید."]}),
        ("9" * 5000, {"price": ["به طور کامل یک عدد وارد کنید."]}),
    ],
)
def test_number_field_bounds_in_persian(value, errors):
    assert PriceForm({"price": value}).errors == errors


def test_number_field_bounds_in_english():
    with translation.override("en"):
        form = PriceForm({"price": "1" + "0" * 23, "size": "1e9"})
        assert form.errors == {
            "price": ["Enter a number from 0 to 1,000,000,000,000."],
            "size": ["Enter a number from 1 to 1,000."],
        }


def test_number_fields_need_both_bounds():
    with pytest.raises(TypeError):
        NumberField(min_value=0)
    with pytest.raises(TypeError):
        DecimalNumberField(min_value=0, max_digits=6, decimal_places=2)


def test_show_number_groups_digits_the_way_the_language_does():
    assert show_number(1_000_000) == "۱٬۰۰۰٬۰۰۰"
    assert show_number(Decimal("1234.5")) == "۱٬۲۳۴٫۵"
    with translation.override("en"):
        assert show_number(1_000_000) == "1,000,000"
