"""Background work for booths: large allocations, and offers that pass their deadline."""

from __future__ import annotations

from django.tasks import task


@task
def run_allocation(run_id: int) -> None:
    from booths.allocation.adapter import execute_run

    execute_run(run_id)


@task
def expire_site_offers(site_id: int) -> None:
    """Scheduled for an offer's deadline; expiring is idempotent, so an early or repeated run is harmless."""
    from booths.offers import expire_offers

    expire_offers(site_ids=[site_id])


# --- passes: begin ---
@task
def render_site_passes(site_id: int) -> None:
    """An organiser's "print all passes": every live pass of the site in one PDF (booths.pass_render)."""
    from booths.pass_printing import run_site_print

    run_site_print(site_id)


# --- passes: end ---


@task
def notify_offers_task(offer_ids: list[int]) -> None:
    """Text the vendors of a large publication, outside the organiser's request."""
    from booths.offers import notify_offers

    notify_offers(offer_ids)
