"""Sign-in form: usernames and mobile numbers arrive with Persian digits and stray marks."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bazaarche.text import normalize
from bazaarche.validators import clean_mobile


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
