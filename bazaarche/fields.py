"""Number boxes for Persian users: text boxes that show the page's digits and read Persian, Arabic or Latin ones.

A browser's type=number box refuses Persian digits, so these are text boxes with a numeric keyboard.
"""

from decimal import Decimal

from django import forms

from .text import digits_for_language, normalize, to_ascii_digits


def _ascii(value):
    if not isinstance(value, str):
        return value
    return to_ascii_digits(normalize(value)).replace(",", "").replace("٬", "").replace("٫", ".")


class NumberInput(forms.TextInput):
    def __init__(self, attrs=None, decimal: bool = False):
        keyboard = "decimal" if decimal else "numeric"
        super().__init__({"inputmode": keyboard, "dir": "ltr", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            value = f"{value.normalize():f}"  # 9 rather than 9.00 in the box
        value = super().format_value(value)
        return digits_for_language(str(value)) if value is not None else None


class NumberField(forms.IntegerField):
    """A whole number typed with Persian, Arabic or Latin digits."""

    widget = NumberInput

    def to_python(self, value):
        return super().to_python(_ascii(value))


class DecimalNumberField(forms.DecimalField):
    """A decimal number typed with Persian, Arabic or Latin digits and either decimal separator."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", NumberInput(decimal=True))
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(_ascii(value))
