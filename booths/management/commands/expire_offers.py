"""`manage.py expire_offers`: expire offers past their deadline and offer the freed booths to the waiting list.

Safe to run as often as you like (from cron, e.g. every 10 minutes): an offer is expired once.
Publishing also schedules a task for each deadline when the task backend can defer (django-tasks-db).
"""

from django.core.management.base import BaseCommand

from booths.allocation.offers import expire_offers


class Command(BaseCommand):
    help = (
        "Expire booth offers whose confirmation deadline has passed and offer their booths to the "
        "waiting list. Idempotent; run it from cron (e.g. every 10 minutes)."
    )

    def handle(self, *args, **options):
        expired, offered = expire_offers()
        self.stdout.write(f"{expired} offers expired, {offered} offered to the waiting list.")
