"""Forms of a vendor's own profile page: business name and description, product photo uploads, captions,
and the portrait for the gate."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bazaarche.text import digits_for_language, normalize, normalize_multiline

from .models import Vendor
from .photos import PhotoError, PreparedPhoto, photo_limit_error, prepare_photo, prepare_portrait

BUSINESS_NAME_MIN = 2
BUSINESS_NAME_MAX = 200  # Vendor.business_name's max_length
DESCRIPTION_MAX = 2000
CAPTION_MAX = 200  # VendorPhoto.caption's max_length
ACCEPT = "image/jpeg,image/png,image/webp"
# An uploaded file name is shown back in an error; a very long one would swamp the message.
SHOWN_NAME_MAX = 60


def _digits(value: int) -> str:
    return digits_for_language(str(value))


class NormalizedCharField(forms.CharField):
    """Text normalised (digits, Arabic letters, stray marks) before its length is checked.

    The length errors are our own, so that the numbers in them are written in the page's digits.
    """

    default_error_messages = {
        "too_long": _("Please keep this to %(limit)s characters at most; it now has %(count)s."),
        "too_short": _("This is too short; please write at least %(limit)s characters."),
    }

    def __init__(self, *, multiline: bool = False, min_chars: int = 0, max_chars: int = 0, **kwargs):
        self.multiline = multiline
        self.min_chars = min_chars
        self.max_chars = max_chars
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_multiline(value) if self.multiline else normalize(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if self.max_chars:
            attrs["maxlength"] = str(self.max_chars)
        return attrs

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        if self.max_chars and len(value) > self.max_chars:
            raise ValidationError(
                self.error_messages["too_long"],
                code="too_long",
                params={"limit": _digits(self.max_chars), "count": _digits(len(value))},
            )
        if self.min_chars and len(value) < self.min_chars:
            raise ValidationError(
                self.error_messages["too_short"], code="too_short", params={"limit": _digits(self.min_chars)}
            )


class VendorDetailsForm(forms.ModelForm):
    """What a vendor may change themself; everything else comes from the registry."""

    business_name = NormalizedCharField(
        label=_("Business name"),
        min_chars=BUSINESS_NAME_MIN,
        max_chars=BUSINESS_NAME_MAX,
        error_messages={
            "required": _("Please enter the name of your business."),
            "too_short": _("The business name is too short; please write at least %(limit)s letters."),
        },
    )
    description = NormalizedCharField(
        label=_("About your business and products"),
        multiline=True,
        required=False,
        max_chars=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you make, what it is made of, what makes it special. Visitors read this."),
    )

    class Meta:
        model = Vendor
        fields = ["business_name", "description"]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """One or several files from one <input type=file multiple>, cleaned to a list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            if not data:
                return [single(None, initial)]
            return [single(item, initial) for item in data]
        return [single(data, initial)]


def _shown_name(name: str) -> str:
    name = normalize(name) or "?"
    if len(name) > SHOWN_NAME_MAX:
        return name[: SHOWN_NAME_MAX - 1] + "…"
    return name


class PhotoUploadForm(forms.Form):
    """One or several product photos at once; each is checked and re-encoded while the form is cleaned."""

    photos = MultiplePhotoField(
        label=_("Photos"),
        error_messages={
            "required": _("Please choose at least one photo."),
            "empty": _("The file you chose is empty. Please choose the photo again."),
            "invalid": _("No file arrived. Please choose the photo again."),
        },
    )
    caption = NormalizedCharField(
        label=_("Caption (optional)"),
        required=False,
        max_chars=CAPTION_MAX,
        help_text=_("A few words about the product, such as «hand-woven wool rug, 1 × 1.5 m»."),
    )

    def __init__(self, *args, existing: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing
        self.prepared: list[PreparedPhoto] = []

    def clean_photos(self) -> list:
        files = self.cleaned_data["photos"]
        # The count first: decoding photos that could not be kept anyway is wasted work.
        if error := photo_limit_error(self.existing, len(files)):
            raise ValidationError(error.message, code=error.code)
        errors = []
        prepared = []
        for uploaded in files:
            try:
                prepared.append(prepare_photo(uploaded))
            except PhotoError as error:
                errors.append(
                    ValidationError(
                        _("%(name)s: %(problem)s"),
                        code=error.code,
                        params={"name": _shown_name(uploaded.name), "problem": error.message},
                    )
                )
        if errors:
            # All or nothing: the vendor replaces the one bad photo and sends the set again.
            raise ValidationError(errors)
        self.prepared = prepared
        return files


class CaptionForm(forms.Form):
    caption = NormalizedCharField(label=_("Caption"), required=False, max_chars=CAPTION_MAX)


class PortraitForm(forms.Form):
    """A photo of the vendor's own face for the gate; checked and re-encoded while the form is cleaned."""

    portrait = forms.FileField(
        label=_("Your photo"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": _("Please choose a photo of yourself."),
            "empty": _("The file you chose is empty. Please choose the photo again."),
            "invalid": _("No file arrived. Please choose the photo again."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepared = None

    def clean_portrait(self):
        uploaded = self.cleaned_data["portrait"]
        try:
            self.prepared = prepare_portrait(uploaded)
        except PhotoError as error:
            raise ValidationError(error.message, code=error.code) from None
        return uploaded
