"""No double booking under real parallel connections (PostgreSQL)."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from booths.models import Assignment
from tests import factories

pytestmark = pytest.mark.postgres


def test_assignment_twenty_parallel_bookings_of_one_booth_day_leave_exactly_one(reference_data):
    site = factories.site()
    booth = factories.booth(factories.hall(site))
    applications = [factories.application(site) for _ in range(20)]
    barrier = threading.Barrier(len(applications))
    outcomes = []

    def book(application):
        try:
            barrier.wait()
            with transaction.atomic():
                Assignment.objects.create(booth=booth, date=site.start_date, application=application)
            outcomes.append("booked")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["booked"] + ["refused"] * 19
    assert Assignment.objects.filter(booth=booth, date=site.start_date).count() == 1
