"""Who may see or change exhibitions and sites."""

from vendors.models import User
from vendors.permissions import can_manage_county, is_county_organiser, is_provincial_organiser

from .models import Exhibition, Site


def can_create_exhibition(user: User) -> bool:
    return is_provincial_organiser(user)


def can_edit_exhibition(user: User, exhibition: Exhibition) -> bool:
    """Province-wide settings (title, publishing) belong to the province's organisers."""
    return is_provincial_organiser(user) and user.organiser_province_id == exhibition.province_id


def can_publish_exhibition(user: User, exhibition: Exhibition) -> bool:
    return can_edit_exhibition(user, exhibition)


def can_add_site(user: User, exhibition: Exhibition) -> bool:
    """Provincial organisers add sites anywhere; county organisers in their own county only."""
    if is_provincial_organiser(user):
        return user.organiser_province_id == exhibition.province_id
    return is_county_organiser(user) and user.organiser_county.province_id == exhibition.province_id


def can_edit_site(user: User, site: Site) -> bool:
    return can_manage_county(user, site.county)


def can_view_exhibition(user: User, exhibition: Exhibition) -> bool:
    if exhibition.is_public:
        return True
    if is_provincial_organiser(user):
        return user.organiser_province_id == exhibition.province_id
    if is_county_organiser(user):
        return user.organiser_county.province_id == exhibition.province_id
    return False


def can_view_site(user: User, site: Site) -> bool:
    return site.exhibition.is_public or can_edit_site(user, site)
