"""No double booking and no corrupted plan under real parallel connections (PostgreSQL)."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction

from booths.allocation.adapter import start_run
from booths.allocation.edits import EditError, move
from booths.allocation.offers import OfferError, confirm, decline, publish
from booths.applications.review import change_status
from booths.models import Assignment, Offer, Pass
from tests import factories
from tests.booths.allocation.helpers import booths_held, small_site

pytestmark = pytest.mark.postgres


def in_parallel(work, items) -> list:
    """Run work(item) in one thread per item, each on its own connection, released together by a barrier."""
    barrier = threading.Barrier(len(items))
    outcomes = []
    lock = threading.Lock()

    def run(item):
        try:
            barrier.wait()
            outcome = work(item)
        except Exception as error:  # the outcome is what the test checks
            outcome = error
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("parallel", [20, 50])
def test_assignment_parallel_bookings_of_one_booth_day_leave_exactly_one(reference_data, parallel):
    site = factories.site()
    booth = factories.booth(factories.hall(site))
    applications = [factories.application(site) for _ in range(parallel)]

    def book(application):
        with transaction.atomic():
            Assignment.objects.create(booth=booth, date=site.start_date, application=application)
        return "booked"

    outcomes = in_parallel(book, applications)
    assert sorted(o if o == "booked" else "refused" for o in outcomes) == ["booked"] + ["refused"] * (
        parallel - 1
    )
    assert all(isinstance(o, IntegrityError) for o in outcomes if o != "booked")
    assert Assignment.objects.filter(booth=booth, date=site.start_date).count() == 1


def test_parallel_moves_onto_one_free_booth_leave_exactly_one_there(reference_data):
    site, hall, _booths, apps = small_site(booths=21, applications=20)
    start_run(site, 1, None)
    free = factories.booth(hall, code="Z-99", col=30, row=1)

    outcomes = in_parallel(lambda application: move(site, application.pk, "A/Z-99") and "moved", apps)
    assert outcomes.count("moved") == 1
    assert all(isinstance(o, EditError) and o.code == "taken" for o in outcomes if o != "moved")
    assert Assignment.objects.filter(booth=free).values("application").distinct().count() == 1
    # Nobody lost their booth on the way.
    assert Assignment.objects.filter(application__site=site).count() == 20 * 3


def test_parallel_publishes_offer_each_booth_once(reference_data):
    site, _hall, _booths, _apps = small_site(booths=5, applications=8)
    run = start_run(site, 1, None)
    outcomes = in_parallel(lambda _n: len(publish(run, None)), list(range(10)))
    assert sorted(outcomes) == [0] * 9 + [5]
    assert Offer.objects.filter(application__site=site).count() == 5


def test_parallel_declines_promote_the_waiting_vendor_once(reference_data):
    site, _hall, _booths, apps = small_site(booths=2, applications=3)
    run = start_run(site, 1, None)
    offers = publish(run, None)
    waiting = next(a for a in apps if a.pk not in {o.application_id for o in offers})

    outcomes = in_parallel(lambda offer: decline(offer.pk, None), offers)
    assert not [o for o in outcomes if isinstance(o, (OfferError, Exception)) and not isinstance(o, tuple)]
    live = Offer.objects.filter(application__site=site, status__in=["pending", "confirmed"])
    assert [o.application_id for o in live] == [waiting.pk]
    assert sum(len(promoted) for _offer, promoted in outcomes) == 1


def blocked_on_a_lock() -> bool:
    """Whether another connection is waiting for a row lock right now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else a transaction sees its first reading only
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def test_rejection_while_the_vendor_confirms_waits_then_revokes_the_new_passes(reference_data, settings):
    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    _site, [offer], [next_in_line] = booths_held(confirmed=False)
    organiser = factories.county_organiser()
    confirming = threading.Event()
    outcomes = {}

    def vendor_confirms():
        try:
            with transaction.atomic():
                _offer = Offer.objects.select_for_update().get(pk=offer.pk)  # the confirmation's first step
                confirming.set()
                deadline = time.monotonic() + 10
                while not blocked_on_a_lock() and time.monotonic() < deadline:
                    time.sleep(0.01)  # until the rejection holds the site and waits for this offer
                confirm(offer.pk, None)  # issues the passes: rows that refer to the locked site
            outcomes["vendor"] = "confirmed"
        except Exception as error:
            outcomes["vendor"] = error
        finally:
            connection.close()

    def organiser_rejects():
        try:
            confirming.wait()
            outcomes["organiser"] = change_status(
                [offer.application], "rejected", "پروانه باطل شده است", organiser
            )
        except Exception as error:
            outcomes["organiser"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=vendor_confirms), threading.Thread(target=organiser_rejects)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes["vendor"] == "confirmed"
    assert outcomes["organiser"].released == [offer]
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.WITHDRAWN
    assert Pass.objects.filter(application=offer.application).count() >= 1
    assert Pass.objects.filter(revoked_at__isnull=True).count() == 0
    assert Offer.objects.get(application=next_in_line).status == Offer.Status.PENDING
