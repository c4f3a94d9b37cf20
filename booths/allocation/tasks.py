"""Background work of the allocation: a large site's run, the offers' notices and their deadline.

The services import this module to queue work; the tasks import the services only when they run, so
loading either never needs the other (tests/bazaarche/test_import_graph.py keeps it that way).
"""

from __future__ import annotations

from django.tasks import task


@task
def run_allocation(run_id: int) -> None:
    """A run recorded by booths.allocation.adapter.start_run for a site too large to allocate in the request."""
    from booths.allocation.adapter import execute_run

    execute_run(run_id)


@task
def expire_site_offers(site_id: int) -> None:
    """Scheduled for an offer's deadline; expiring is idempotent, so an early or repeated run is harmless."""
    from booths.allocation.offers import expire_offers

    expire_offers(site_ids=[site_id])


@task
def notify_offers_task(offer_ids: list[int]) -> None:
    """Text the vendors of a large publication, outside the organiser's request."""
    from booths.allocation.notices import notify_offers

    notify_offers(offer_ids)
