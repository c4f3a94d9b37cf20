"""Forms of the gate side: a helper's name on their pass."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bazaarche.text import digits_for_language, normalize

HELPER_NAME_MAX = 50  # fits the printed pass on one line; a full Persian name rarely passes 35 letters


class HelperNameForm(forms.Form):
    """The name of the helper who carries a helper's pass: the gate checks it against a face."""

    name = forms.CharField(label=_("Name of your helper"), required=False, max_length=HELPER_NAME_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Said in the page's digits, so made per request rather than once at import.
        self.fields["name"].error_messages["max_length"] = gettext(
            "Write the name in at most %(n)s letters."
        ) % {"n": digits_for_language(str(HELPER_NAME_MAX))}

    def clean_name(self) -> str:
        return normalize(self.cleaned_data["name"])
