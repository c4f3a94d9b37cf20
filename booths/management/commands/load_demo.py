"""`manage.py load_demo`: builds (or rebuilds) the demo data and prints who can sign in."""

import datetime
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bazaarche.validators import clean_mobile
from booths.demo import load_demo
from booths.demo.data import PASSWORD
from events.models import Site


class Command(BaseCommand):
    help = "Load the demo (Lorestan vendors, a province-wide exhibition, applications, passes) and print the sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="build the demo around this date (YYYY-MM-DD) instead of today")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(f"--today: {error}") from error
        result = load_demo(today=today, stdout=self.stdout)

        rows = [("ROLE", "USERNAME / MOBILE", "PASSWORD", "WHAT THEY CAN DO")]
        rows += [
            (s.role, s.username, "SMS code" if _is_mobile(s.username) else s.password, s.can)
            for s in result.users
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo sign-ins"))
        for n, row in enumerate(rows):
            line = (
                "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
                + "  "
                + row[3]
            )
            self.stdout.write(self.style.MIGRATE_LABEL(line) if n == 0 else line)
        if settings.SMS_BACKEND == "vendors.sms.ConsoleBackend":
            where = "is printed in the console of the running server (SMS_BACKEND is the console)"
        else:
            where = f"is sent by SMS through {settings.SMS_BACKEND}"
        self.stdout.write(
            "Vendors and company managers: open /signin/ and enter the mobile number; the 6-digit code "
            f"{where}. Organisers: /signin/password/ with the password."
        )
        self.stdout.write(
            f"Any of the {result.counts['vendors']} demo vendors can sign in the same way with their registry "
            f"mobile. The accounts above and {result.other_vendor_accounts} more vendor accounts "
            f"(username = mobile) also take the password {PASSWORD} at /signin/password/."
        )
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Gate staff (keys are new on every load)"))
        port = os.environ.get("PORT", "8000")
        slugs = [gate.site_slug for gate in result.gate_keys]
        titles = dict(Site.objects.filter(slug__in=slugs).values_list("slug", "title_en"))
        for gate in result.gate_keys:
            where = titles.get(gate.site_slug) or gate.site_slug
            self.stdout.write(f"Gate ({where}): http://127.0.0.1:{port}/gate/  key: {gate.key}")
        self.stdout.write(
            "Both sites are open today with confirmed booths and passes valid today. Open /gate/ on a phone and "
            "enter the key; each key admits at its own site only (also POST /api/checkin/ with "
            "Authorization: Token <key>). A vendor's passes are on their page (/me/); an organiser prints a "
            "site's passes from /organiser/sites/<slug>/passes/ or with manage.py render_passes."
        )


def _is_mobile(username: str) -> bool:
    """Vendors' and company managers' usernames are their mobiles: they sign in with an SMS code."""
    try:
        return clean_mobile(username) == username
    except ValidationError:
        return False
