"""A confirmed booth with its passes, for the pass tests."""

import datetime

from django.utils import timezone

from booths.gate.passes import issue_passes
from booths.models import Application, Assignment, Booth, Offer, Pass
from events.models import Site
from tests import factories
from vendors.models import Vendor


def confirmed(
    site: Site,
    booth: Booth,
    days: list[datetime.date],
    vendor: Vendor | None = None,
    helpers: int = 0,
) -> tuple[Application, list[Pass]]:
    """An accepted application with a confirmed offer of `booth` on `days`, and its passes issued."""
    application = factories.application(
        site,
        vendor,
        days=[d.isoformat() for d in days],
        status=Application.Status.ACCEPTED,
        helpers=helpers,
    )
    offer = Offer.objects.create(
        application=application,
        booth=booth,
        days=[d.isoformat() for d in days],
        status=Offer.Status.CONFIRMED,
        expires_at=timezone.now() + datetime.timedelta(days=2),
        responded_at=timezone.now(),
    )
    Assignment.objects.bulk_create(
        Assignment(booth=booth, date=d, application=application, offer=offer) for d in days
    )
    return application, issue_passes(application)
