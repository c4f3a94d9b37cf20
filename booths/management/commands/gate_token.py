"""`manage.py gate_token SITE_SLUG [--name NAME]`: a gate-staff key bound to one site, printed once."""

from django.core.management.base import BaseCommand, CommandError

from bazaarche.text import normalize
from booths.gate.checkin import create_gate_token
from events.models import Site


class Command(BaseCommand):
    help = (
        "Create a gate-staff token bound to one site and print its key. Only a hash is stored: "
        "the key cannot be shown again. Organisers can also create and revoke keys in the UI."
    )

    def add_arguments(self, parser):
        parser.add_argument("site", help="slug of the site the token admits at")
        parser.add_argument("--name", default="", help="a name for the gate or person (default: gate N)")

    def handle(self, *args, **options):
        site = Site.objects.filter(slug=options["site"]).first()
        if site is None:
            raise CommandError(f"No site with the slug {options['site']!r}.", returncode=2)
        name = normalize(options["name"])[:100] or f"gate {site.gate_tokens.count() + 1}"
        token, key = create_gate_token(site, name)
        self.stdout.write(key)
        self.stderr.write(
            f"Gate token {token.pk} “{token.name}” for {site.slug}. Staff sign in at /gate/ with the key above; "
            "it is not stored and cannot be shown again."
        )
