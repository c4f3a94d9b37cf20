"""Priority levels: one point per reason, from the registry flags and booth history."""

from booths.applications.priority import priority_for, reason_labels
from booths.models import Application, Assignment
from tests import factories


def test_priority_new_vendor_is_first_time_only(db):
    assert priority_for(factories.vendor()) == (1, ["first_time"])


def test_priority_registry_flags_and_history_each_add_a_point(db):
    vendor = factories.vendor(female_head_of_household=True, disability=True)
    factories.application(factories.site(), vendor, status=Application.Status.REJECTED)
    assert priority_for(vendor) == (
        4,
        ["female_head_of_household", "disability", "first_time", "not_placed_before"],
    )


def test_priority_vendor_once_assigned_is_neither_first_time_nor_passed_over(db):
    vendor = factories.vendor(disability=True)
    earlier = factories.site()
    application = factories.application(earlier, vendor, status=Application.Status.ACCEPTED)
    booth = factories.booth(factories.hall(earlier))
    Assignment.objects.create(booth=booth, date=earlier.start_date, application=application)
    assert priority_for(vendor) == (1, ["disability"])


def test_priority_withdrawn_and_current_applications_do_not_count_as_applied_before(db):
    vendor = factories.vendor()
    factories.application(factories.site(), vendor, status=Application.Status.WITHDRAWN)
    current = factories.application(factories.site(), vendor)
    assert priority_for(vendor, exclude_applications=[current.pk]) == (1, ["first_time"])


def test_priority_reason_labels_are_persian(db):
    assert reason_labels(["female_head_of_household", "not_placed_before"]) == [
        "سرپرست خانوار زن",
        "پیش‌تر درخواست داده ولی غرفه نگرفته",
    ]
