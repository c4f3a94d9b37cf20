"""`manage.py render_passes SITE_SLUG --out DIR`: every issued pass of a site as <code>.png, plus one PDF."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from booths.gate.cards import write_site_passes
from booths.gate.passes import live_passes
from events.models import Site


class Command(BaseCommand):
    help = (
        "Write every issued (not revoked) pass of a site as DIR/<code>.png and all of them as one printable "
        "PDF, DIR/<site>-passes.pdf (four A6 passes to an A4 page)."
    )

    def add_arguments(self, parser):
        parser.add_argument("site", help="slug of the site")
        parser.add_argument("--out", required=True, help="directory to write into (created if missing)")
        parser.add_argument("--language", default="fa", choices=["fa", "en"], help="language of the cards")

    def handle(self, *args, **options):
        site = Site.objects.filter(slug=options["site"]).first()
        if site is None:
            raise CommandError(f"No site with the slug {options['site']!r}.", returncode=2)
        out = Path(options["out"])
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot write to {out}: {error}", returncode=2) from error
        pdf_path = out / f"{site.slug}-passes.pdf"
        partial = pdf_path.with_suffix(".pdf.part")
        began = time.perf_counter()
        try:
            with partial.open("wb") as pdf:
                count = write_site_passes(
                    live_passes(site).iterator(chunk_size=200), pdf, png_dir=out, language=options["language"]
                )
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(pdf_path)
        self.stdout.write(
            f"{count} passes of {site.slug} written to {out} ({count} PNG files and {pdf_path.name}) "
            f"in {time.perf_counter() - began:.1f} s."
        )
