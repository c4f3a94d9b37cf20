"""`manage.py load_demo`: builds (or rebuilds) the demo data and prints who can sign in."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from booths.demo import PASSWORD, load_demo


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
        rows += [(s.role, s.username, s.password, s.can) for s in result.users]
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
        self.stdout.write(
            f"{result.other_vendor_accounts} more vendor accounts: username = the vendor's mobile, "
            f"password {PASSWORD}."
        )
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Gate staff tokens (new on every load)"))
        for gate in result.gate_keys:
            self.stdout.write(f"{gate.site_slug}  {gate.name}  {gate.key}")
        self.stdout.write(
            "Each is bound to its site, for gate check-in (POST /api/checkin/, Authorization: Token <key>)."
        )
