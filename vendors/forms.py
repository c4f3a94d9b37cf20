"""Sign-in forms: mobile numbers, codes and usernames arrive with Persian digits and stray marks."""

import re

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bazaarche.text import digits_for_language, normalize
from bazaarche.validators import clean_mobile

from . import limits


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "That username or mobile number and password do not match. Please check both and try again."
        ),
        "inactive": _("This account is switched off. Please contact the Directorate."),
    }
    username = forms.CharField(
        label=_("Username or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "dir": "ltr"}),
    )

    def clean_username(self) -> str:
        username = normalize(self.cleaned_data["username"])
        try:
            return clean_mobile(username)
        except ValidationError:
            return username

    def clean(self):
        # Failed passwords are counted per account and per client address (vendors/limits.py: in the
        # cache, shared by all workers, or in the database while the cache is away); past the limit
        # the form refuses before checking the password at all.
        # A browser that has signed in to the account before counts its failures apart, so a
        # stranger who uses up the account's count cannot keep its owner out there.
        username = self.cleaned_data.get("username", "")
        address = limits.client_address(self.request) if self.request else "unknown"
        known = bool(self.request) and limits.is_known_browser(self.request, username)
        limit, window = settings.PASSWORD_FAILURES_ALLOWED
        account = f"signin-failures:{'known' if known else 'user'}:{limits.name_digest(username)}"
        keys = [account, f"signin-failures:address:{address}"]
        if any(limits.count(key) >= limit for key in keys):
            raise ValidationError(
                _("Too many failed sign-ins. Please wait %(minutes)s minutes and try again."),
                code="too_many_failures",
                params={"minutes": digits_for_language(str(window // 60))},
            )
        try:
            return super().clean()
        except ValidationError:
            for key in keys:
                limits.add_one(key, window)
            raise


class TelInput(forms.TextInput):
    input_type = "tel"


class MobileForm(forms.Form):
    """The first step of a vendor's sign-in: the mobile number registered in the home-jobs registry."""

    mobile = forms.CharField(
        label=_("Mobile number"),
        help_text=_("For example 09161234567"),
        max_length=30,
        widget=TelInput(
            attrs={
                "inputmode": "tel",
                "autocomplete": "tel",
                "dir": "ltr",
                "autofocus": True,
                "class": "number",
            }
        ),
    )

    def clean_mobile(self) -> str:
        return clean_mobile(self.cleaned_data["mobile"])


class CodeForm(forms.Form):
    """The second step: the six-digit code from the SMS, typed in Persian or ASCII digits."""

    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "dir": "ltr",
                "autofocus": True,
                "class": "number code",
            }
        ),
        error_messages={"required": _("Enter the 6-digit code from the SMS.")},
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s\-]", "", normalize(self.cleaned_data["code"]))
        if not re.fullmatch(r"[0-9]{6}", code):
            raise ValidationError(_("Enter the 6-digit code from the SMS."), code="bad_code")
        return code
