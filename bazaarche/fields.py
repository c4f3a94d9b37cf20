"""Number boxes for Persian users: text boxes that show the page's digits and read Persian, Arabic or Latin ones.

A browser's type=number box refuses Persian digits, so these are text boxes with a numeric keyboard.
Every number box has both bounds: an unbounded whole number reaches the database as a number it
cannot hold (an OverflowError, a 500), so a field without them is a programming error.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .text import digits_for_language, is_persian, normalize, to_ascii_digits


def _ascii(value):
    if not isinstance(value, str):
        return value
    return to_ascii_digits(normalize(value)).replace(",", "").replace("٬", "").replace("٫", ".")


def show_number(value: int | Decimal) -> str:
    """1,000,000 in English and ۱٬۰۰۰٬۰۰۰ in Persian: a bound as people read it."""
    text = f"{value:,}"
    if is_persian():
        text = text.replace(",", "٬").replace(".", "٫")
    return digits_for_language(text)


class NumberInput(forms.TextInput):
    def __init__(self, attrs=None, decimal: bool = False):
        keyboard = "decimal" if decimal else "numeric"
        super().__init__({"inputmode": keyboard, "dir": "ltr", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            value = f"{value.normalize():f}"  # 9 rather than 9.00 in the box
        value = super().format_value(value)
        return digits_for_language(str(value)) if value is not None else None


class _Bounded:
    """Both bounds required, and one message that names them in the page's digits.

    Django's own messages say only the bound that was crossed, in Latin digits; "from 0 to 60"
    tells what to type whichever way the number was wrong. A form may still give its own
    "min_value" / "max_value" messages (with %(min)s and %(max)s).
    """

    range_message = _("Enter a number from %(min)s to %(max)s.")

    def _drop_bound_validators(self) -> None:
        # The range check in validate() replaces Django's two validators and their two messages.
        self.validators = [
            v for v in self.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
        ]

    def _check_range(self, value) -> None:
        if value in self.empty_values:
            return
        for code, crossed in (("min_value", value < self.min_value), ("max_value", value > self.max_value)):
            if crossed:
                raise ValidationError(
                    self.error_messages.get(code) or self.range_message,
                    code=code,
                    params={"min": show_number(self.min_value), "max": show_number(self.max_value)},
                )


class NumberField(_Bounded, forms.IntegerField):
    """A whole number typed with Persian, Arabic or Latin digits, between min_value and max_value."""

    widget = NumberInput

    def __init__(self, *, min_value: int, max_value: int, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
        self._drop_bound_validators()

    def to_python(self, value):
        return super().to_python(_ascii(value))

    def validate(self, value):
        super().validate(value)
        self._check_range(value)


class DecimalNumberField(_Bounded, forms.DecimalField):
    """A decimal number typed with Persian, Arabic or Latin digits and either decimal separator."""

    def __init__(self, *, min_value: int | Decimal, max_value: int | Decimal, **kwargs):
        kwargs.setdefault("widget", NumberInput(decimal=True))
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
        self._drop_bound_validators()

    def to_python(self, value):
        return super().to_python(_ascii(value))

    def validate(self, value):
        super().validate(value)
        self._check_range(value)
