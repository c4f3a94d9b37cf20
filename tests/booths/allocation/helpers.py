"""A small allocated site for the allocation and offer tests."""

import datetime

from django.utils import timezone

from booths.models import Application
from tests import factories


def small_site(booths: int = 2, applications: int = 3, days: int = 3, **site_fields):
    """A site open `days` days from today, one hall of `booths` booths (the first has water), and
    `applications` accepted applications for all days with priority 0, each its own vendor with an account."""
    today = timezone.localdate()
    site_fields.setdefault("end_date", today + datetime.timedelta(days=days - 1))
    site = factories.site(**site_fields)
    hall = factories.hall(site, code="A", rows=1, cols=max(booths, 1))
    made = [
        factories.booth(hall, code=f"A-{n:02d}", col=n, row=1, has_water=(n == 1))
        for n in range(1, booths + 1)
    ]
    all_days = [(today + datetime.timedelta(days=d)).isoformat() for d in range(days)]
    apps = []
    for _ in range(applications):
        vendor = factories.vendor()
        vendor.user = factories.user()
        vendor.save(update_fields=["user"])
        apps.append(factories.application(site, vendor, status=Application.Status.ACCEPTED, days=all_days))
    return site, hall, made, apps


def booths_held(booths: int = 1, confirmed: bool = True):
    """A published site where `booths` accepted applications hold a booth each (confirmed, with their
    passes, or still pending) and as many more wait for one, with the same days.
    Returns (site, offers, waiting) with the offers in booth order and the waiting in line order."""
    from booths.allocation.adapter import start_run
    from booths.allocation.offers import confirm, publish
    from booths.allocation.waitlist import waitlist

    site, _hall, made, _apps = small_site(booths=booths, applications=2 * booths)
    offers = sorted(publish(start_run(site, 7, None), None), key=lambda o: made.index(o.booth))
    if confirmed:
        offers = [confirm(o.pk, None) for o in offers]
    return site, offers, waitlist(site)
