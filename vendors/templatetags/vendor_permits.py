"""The `permit` filter: a vendor's permit status (valid, expiring, expired) and days left, for badges."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils import timezone

from vendors.directory import EXPIRED, EXPIRING, VALID, permit_status
from vendors.models import Vendor

register = template.Library()


@dataclass(frozen=True)
class PermitInfo:
    status: str  # vendors.directory.VALID, EXPIRING or EXPIRED
    days_left: int  # negative once expired

    @property
    def valid(self) -> bool:
        return self.status == VALID

    @property
    def expiring(self) -> bool:
        return self.status == EXPIRING

    @property
    def expired(self) -> bool:
        return self.status == EXPIRED


@register.filter
def permit(vendor: Vendor) -> PermitInfo:
    """Usage: {% with permit=vendor|permit %}{% if permit.expiring %}…{% endif %}{% endwith %}."""
    today = timezone.localdate()
    return PermitInfo(status=permit_status(vendor, today), days_left=(vendor.permit_expires - today).days)
