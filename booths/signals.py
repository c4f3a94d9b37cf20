"""Plans and placements are on public pages, and zones on the apply pages (booths.applications.call_site):
writes to them change the public version."""

from events.public_cache import watch_models

from .models import Assignment, Booth, Hall, Offer, Zone


def connect() -> None:
    watch_models(Hall, Booth, Zone, Offer, Assignment)
