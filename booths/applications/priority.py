"""Priority of an application, from registry data and booth history: one point per reason.

Levels: 0 (no reason) to 4. Each of these reasons adds one point:

- ``female_head_of_household`` and ``disability``: flags in the home-jobs registry;
- ``first_time``: the vendor has never had a booth (no Assignment at any site);
- ``not_placed_before``: the vendor applied before (another site, not withdrawn) and was never
  given a booth.

A vendor who applied before and was never placed gets both history points: they are both a
first-time exhibitor and someone passed over, and the Directorate's rules favour each.
"""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from booths.models import Application, Assignment
from vendors.models import Vendor

FEMALE_HEAD_OF_HOUSEHOLD = "female_head_of_household"
DISABILITY = "disability"
FIRST_TIME = "first_time"
NOT_PLACED_BEFORE = "not_placed_before"

REASON_LABELS = {
    FEMALE_HEAD_OF_HOUSEHOLD: _("Female head of household"),
    DISABILITY: _("Has a disability"),
    FIRST_TIME: _("First-time exhibitor"),
    NOT_PLACED_BEFORE: _("Applied before but never placed"),
}

LEVELS = range(len(REASON_LABELS) + 1)


def reason_labels(reasons: Iterable[str]) -> list[str]:
    """The translated labels of stored reason codes (unknown codes are shown as they are)."""
    return [str(REASON_LABELS.get(code, code)) for code in reasons]


def priorities_for(
    vendors: Iterable[Vendor], exclude_applications: Iterable[int] = ()
) -> dict[int, tuple[int, list[str]]]:
    """Level and reasons per vendor id, in one query whatever the number of vendors.

    `exclude_applications` are the applications being judged: they do not count as "applied before".
    """
    vendors = list(vendors)
    excluded = set(exclude_applications)
    placed, applied = set(), set()
    rows = (
        Application.objects.filter(vendor__in=[v.pk for v in vendors])
        .annotate(placed=Exists(Assignment.objects.filter(application=OuterRef("pk"))))
        .order_by()
        .values_list("vendor_id", "pk", "status", "placed")
    )
    for vendor_id, pk, status, has_booth in rows:
        if has_booth:  # a booth at any site, whatever became of the application since
            placed.add(vendor_id)
        if pk not in excluded and status != Application.Status.WITHDRAWN:
            applied.add(vendor_id)
    result = {}
    for vendor in vendors:
        reasons = []
        if vendor.female_head_of_household:
            reasons.append(FEMALE_HEAD_OF_HOUSEHOLD)
        if vendor.disability:
            reasons.append(DISABILITY)
        if vendor.pk not in placed:
            reasons.append(FIRST_TIME)
            if vendor.pk in applied:
                reasons.append(NOT_PLACED_BEFORE)
        result[vendor.pk] = (len(reasons), reasons)
    return result


def priority_for(vendor: Vendor, exclude_applications: Iterable[int] = ()) -> tuple[int, list[str]]:
    """(level, reason codes) for one vendor; see the module docstring for the levels."""
    return priorities_for([vendor], exclude_applications)[vendor.pk]
