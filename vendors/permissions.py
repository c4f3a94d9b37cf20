"""Who may see or change what on the registry side. Small predicates; views and templates ask them."""

from functools import cached_property

from .models import County, SupportCompany, User, Vendor

PROVINCIAL_ORGANISER = "provincial_organiser"
COUNTY_ORGANISER = "county_organiser"
VENDOR = "vendor"
COMPANY_MANAGER = "company_manager"


class Roles:
    """The roles one signed-in user holds, worked out once per request."""

    def __init__(self, user: User | None):
        self.user = user if user is not None and user.is_authenticated and user.is_active else None

    @cached_property
    def names(self) -> frozenset[str]:
        if self.user is None:
            return frozenset()
        names = set()
        if self.user.organiser_county_id:
            names.add(COUNTY_ORGANISER)
        elif self.user.organiser_province_id:
            names.add(PROVINCIAL_ORGANISER)
        if self.user.vendors.exists():
            names.add(VENDOR)
        if self.user.managed_companies.exists():
            names.add(COMPANY_MANAGER)
        return frozenset(names)

    @property
    def is_organiser(self) -> bool:
        return bool(self.names & {PROVINCIAL_ORGANISER, COUNTY_ORGANISER})

    @property
    def is_vendor(self) -> bool:
        return VENDOR in self.names

    @property
    def is_company_manager(self) -> bool:
        return COMPANY_MANAGER in self.names


def is_provincial_organiser(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.organiser_province_id
        and not user.organiser_county_id
    )


def is_county_organiser(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.organiser_county_id)


def is_organiser(user: User) -> bool:
    return is_provincial_organiser(user) or is_county_organiser(user)


def can_manage_county(user: User, county: County) -> bool:
    """Organisers act in their own county, or anywhere in their province when provincial."""
    if is_county_organiser(user):
        return user.organiser_county_id == county.pk
    if is_provincial_organiser(user):
        return user.organiser_province_id == county.province_id
    return False


def is_own_vendor(user: User, vendor: Vendor) -> bool:
    return bool(user.is_authenticated and user.is_active and vendor.user_id == user.pk)


def can_manage_company(user: User, company: SupportCompany) -> bool:
    return bool(user.is_authenticated and user.is_active and company.managers.filter(pk=user.pk).exists())


def can_act_for_vendor(user: User, vendor: Vendor) -> bool:
    """The vendor themself, or the manager of the support company the registry links them to."""
    if is_own_vendor(user, vendor):
        return True
    return vendor.support_company_id is not None and can_manage_company(user, vendor.support_company)


def can_view_vendor_private(user: User, vendor: Vendor) -> bool:
    """National ID, mobile, address: the vendor, their company's manager, and organisers of their county."""
    return can_act_for_vendor(user, vendor) or can_manage_county(user, vendor.county)


def can_edit_vendor_profile(user: User, vendor: Vendor) -> bool:
    return is_own_vendor(user, vendor)


def can_import_registry(user: User) -> bool:
    return is_provincial_organiser(user)
