"""The organisers' vendor directory: who may see which vendors, search and filters, CSV/XLSX exports."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bazaarche.jalali import to_jalali_string
from bazaarche.text import digits_for_language, fold, normalize
from bazaarche.validators import clean_mobile

from .models import Category, CategoryGroup, County, User, Vendor
from .permissions import is_county_organiser, is_provincial_organiser
from .registry.columns import COLUMNS_BY_KEY

PAGE_SIZE = 50
# A permit that ends within this many days is "expiring": time enough to renew before a call closes.
EXPIRING_DAYS = 30

VALID = "valid"
EXPIRING = "expiring"
EXPIRED = "expired"
PERMIT_STATUSES = (
    (VALID, _("Valid")),
    (EXPIRING, _("Expiring within 30 days")),
    (EXPIRED, _("Expired")),
)

# "+98916…" or "0098916…" inside one word of a query: the stored mobile starts with 0.
_COUNTRY_CODE = re.compile(r"^(?:\+|00)98")


def vendors_for(user: User) -> QuerySet[Vendor]:
    """The vendors an organiser may see: their county's, or their province's; nobody else sees any."""
    if is_county_organiser(user):
        return Vendor.objects.filter(county_id=user.organiser_county_id)
    if is_provincial_organiser(user):
        return Vendor.objects.filter(county__province_id=user.organiser_province_id)
    return Vendor.objects.none()


def counties_for(user: User) -> QuerySet[County]:
    """The counties an organiser may filter by."""
    if is_county_organiser(user):
        return County.objects.filter(pk=user.organiser_county_id)
    if is_provincial_organiser(user):
        return County.objects.filter(province_id=user.organiser_province_id)
    return County.objects.none()


def search(vendors: QuerySet[Vendor], query: str) -> QuerySet[Vendor]:
    """Every word of the query, folded like Vendor.search_text, must occur in it; a full mobile matches too."""
    try:
        mobile = clean_mobile(query)
    except ValidationError:
        pass
    else:
        # "+98 916 123 4567" is four words that would each match some other vendor too. A query
        # that reads as a mobile number is one: that number, or the digits as typed (a tracking code).
        return vendors.filter(Q(search_text__icontains=mobile) | Q(search_text__icontains=fold(query)))
    condition = Q()
    words = 0
    for word in normalize(query).split():
        key = fold(word)
        if not key:
            continue
        words += 1
        word_condition = Q(search_text__icontains=key)
        local = _COUNTRY_CODE.sub("0", key)
        if local != key:
            word_condition |= Q(search_text__icontains=local)
        condition &= word_condition
    if not words:
        return vendors
    return vendors.filter(condition)


def permit_status_filter(status: str, today: datetime.date) -> Q:
    """Permits still valid for over 30 days, ending within 30 days (today included), or already ended."""
    horizon = today + datetime.timedelta(days=EXPIRING_DAYS)
    if status == VALID:
        return Q(permit_expires__gt=horizon)
    if status == EXPIRING:
        return Q(permit_expires__gte=today, permit_expires__lte=horizon)
    if status == EXPIRED:
        return Q(permit_expires__lt=today)
    raise ValueError(f"Unknown permit status {status!r}")


def permit_status(vendor: Vendor, today: datetime.date) -> str:
    """The permit status of one vendor, by the same rule as permit_status_filter."""
    if vendor.permit_expires < today:
        return EXPIRED
    if vendor.permit_expires <= today + datetime.timedelta(days=EXPIRING_DAYS):
        return EXPIRING
    return VALID


class DirectoryFilters(forms.Form):
    """The directory's GET parameters. A value that does not fit is dropped, not an error: URLs get shared."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    county = forms.ChoiceField(label=_("County"), required=False)
    group = forms.ChoiceField(label=_("Category group"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    permit = forms.ChoiceField(
        label=_("Permit"), required=False, choices=[("", _("Any permit")), *PERMIT_STATUSES]
    )

    def __init__(self, data, *, user: User):
        super().__init__(data)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Name, business, tracking code, national ID or mobile")}
        )
        self.fields["county"].choices = [("", _("All counties"))] + [
            (c.slug, c.name) for c in counties_for(user)
        ]
        self.fields["group"].choices = [("", _("All groups"))] + [
            (g.slug, g.name) for g in CategoryGroup.objects.all()
        ]
        categories: dict[str, list[tuple[str, str]]] = {}
        for c in Category.objects.select_related("group").order_by("group__name_fa", "code"):
            categories.setdefault(c.group.name, []).append(
                (c.code, f"{digits_for_language(c.code)} {c.title}")
            )
        self.fields["category"].choices = [("", _("All categories")), *categories.items()]

    def values(self) -> dict[str, str]:
        """The valid filter values; invalid ones are left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def apply(self, vendors: QuerySet[Vendor], today: datetime.date | None = None) -> QuerySet[Vendor]:
        values = self.values()
        if values.get("county"):
            vendors = vendors.filter(county__slug=values["county"])
        if values.get("group"):
            vendors = vendors.filter(category__group__slug=values["group"])
        if values.get("category"):
            vendors = vendors.filter(category__code=values["category"])
        if values.get("permit"):
            vendors = vendors.filter(permit_status_filter(values["permit"], today or timezone.localdate()))
        if values.get("q"):
            vendors = search(vendors, values["q"])
        return vendors

    @property
    def active(self) -> bool:
        return bool(self.values())


def directory_vendors(
    user: User, filters: DirectoryFilters, today: datetime.date | None = None
) -> QuerySet[Vendor]:
    """The vendors a user's directory lists with these filters, ready for a page or an export."""
    vendors = filters.apply(vendors_for(user), today)
    return vendors.select_related("category__group", "county", "support_company").order_by(
        "last_name", "first_name", "pk"
    )


# The export's columns, headed with the registry's own Persian headers (REGISTRY_FORMAT.md) whatever
# the interface language: the file goes to the ministry, and back into the registry.
EXPORT_KEYS = (
    "tracking_code", "permit_id", "national_id", "first_name", "last_name", "gender", "mobile",
    "business_name", "category_code", "category_title", "category_group", "permit_type", "support_company",
    "permit_issued", "permit_expires", "county", "city", "postal_code", "female_head_of_household", "disability",
)  # fmt: skip
EXPORT_HEADERS = tuple(COLUMNS_BY_KEY[key].header_fa for key in EXPORT_KEYS)
_GENDER = {Vendor.Gender.FEMALE: "زن", Vendor.Gender.MALE: "مرد"}
_PERMIT_TYPE = {
    Vendor.PermitType.INDEPENDENT: "مستقل",
    Vendor.PermitType.SUPPORT: "پشتیبان",
    Vendor.PermitType.PIECE_RATE: "کارمزدی",
}


def _yes_no(value: bool) -> str:
    return "بله" if value else "خیر"


@functools.lru_cache(maxsize=4096)
def _jalali(day: datetime.date) -> str:
    # Thousands of permits share a few hundred dates, and converting them is a quarter of an export's time.
    return to_jalali_string(day)


def export_row(vendor: Vendor) -> list[str]:
    """One vendor as the export's cells: all text, Jalali dates, ASCII digits."""
    return [
        vendor.tracking_code,
        vendor.permit_id or "",
        vendor.national_id,
        vendor.first_name,
        vendor.last_name,
        _GENDER.get(vendor.gender, ""),
        vendor.mobile,
        vendor.business_name,
        vendor.category.code,
        vendor.category.title_fa,
        vendor.category.group.name_fa,
        _PERMIT_TYPE.get(vendor.permit_type, vendor.permit_type),
        vendor.support_company.name if vendor.support_company else "",
        _jalali(vendor.permit_issued),
        _jalali(vendor.permit_expires),
        vendor.county.name_fa,
        vendor.city,
        vendor.postal_code,
        _yes_no(vendor.female_head_of_household),
        _yes_no(vendor.disability),
    ]


def export_rows(vendors: QuerySet[Vendor]) -> Iterator[list[str]]:
    # iterator(): an export of the whole province must not hold every row in memory at once.
    for vendor in vendors.iterator(chunk_size=2000):
        yield export_row(vendor)
