"""Plans and placements are on public pages: writes to them change the public version."""

from events.public_cache import watch_models

from .models import Assignment, Booth, Hall, Offer


def connect() -> None:
    watch_models(Hall, Booth, Offer, Assignment)
