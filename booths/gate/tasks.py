"""Background work of the gate: a site's passes printed as one PDF.

booths.gate.printing imports this module to queue the print; the task imports the printing only when
it runs, so loading either never needs the other.
"""

from __future__ import annotations

from django.tasks import task


@task
def render_site_passes(site_id: int) -> None:
    """An organiser's "print all passes": every live pass of the site in one PDF (booths.gate.cards)."""
    from booths.gate.printing import run_site_print

    run_site_print(site_id)
