"""What the database itself refuses, on SQLite and PostgreSQL alike."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from booths.models import Admission, Assignment, Pass
from tests import factories


@pytest.fixture
def site_with_booth(db):
    site = factories.site()
    booth = factories.booth(factories.hall(site))
    return site, booth


def test_assignment_second_application_same_booth_same_day_is_refused(site_with_booth):
    site, booth = site_with_booth
    day = site.start_date
    Assignment.objects.create(booth=booth, date=day, application=factories.application(site))
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(booth=booth, date=day, application=factories.application(site))
    assert Assignment.objects.filter(booth=booth, date=day).count() == 1


def test_assignment_same_booth_next_day_is_allowed(site_with_booth):
    site, booth = site_with_booth
    Assignment.objects.create(booth=booth, date=site.start_date, application=factories.application(site))
    Assignment.objects.create(
        booth=booth,
        date=site.start_date + datetime.timedelta(days=1),
        application=factories.application(site),
    )
    assert Assignment.objects.filter(booth=booth).count() == 2


def test_assignment_one_application_in_two_booths_same_day_is_refused(site_with_booth):
    site, booth = site_with_booth
    application = factories.application(site)
    other = factories.booth(booth.hall)
    Assignment.objects.create(booth=booth, date=site.start_date, application=application)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(booth=other, date=site.start_date, application=application)


def test_application_second_for_same_vendor_and_site_is_refused(site_with_booth):
    site, _ = site_with_booth
    vendor = factories.vendor()
    factories.application(site, vendor)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.application(site, vendor)


def test_admission_pass_admitted_twice_same_day_is_refused_but_failed_scans_are_kept(site_with_booth):
    site, _ = site_with_booth
    pass_obj = Pass.objects.create(site=site, application=factories.application(site), code="abc")
    now = timezone.now()
    today = timezone.localdate()
    Admission.objects.create(site=site, pass_obj=pass_obj, result="admitted", date=today, scanned_at=now)
    Admission.objects.create(
        site=site, pass_obj=pass_obj, result="already_admitted", date=today, scanned_at=now
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Admission.objects.create(site=site, pass_obj=pass_obj, result="admitted", date=today, scanned_at=now)
    Admission.objects.create(
        site=site,
        pass_obj=pass_obj,
        result="admitted",
        date=today + datetime.timedelta(days=1),
        scanned_at=now,
    )
    assert Admission.objects.filter(pass_obj=pass_obj).count() == 3


def test_vendor_permit_expiring_before_issue_is_refused(db):
    today = timezone.localdate()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.vendor(permit_issued=today, permit_expires=today - datetime.timedelta(days=1))


def test_site_ending_before_it_starts_is_refused(db):
    today = timezone.localdate()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.site(start_date=today, end_date=today - datetime.timedelta(days=1), hours=None)
