"""`manage.py allocate`: runs the booth allocation engine on an instance file or on a site in the database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from booths.allocation.adapter import active_run, allocate_site
from booths.allocation.engine import allocate
from booths.allocation.instance import InstanceError, load_instance, result_json
from events.models import Site


class Command(BaseCommand):
    # A batch tool timed on large instances: the system checks (URLs, templates, …) would add about
    # 0.4 s to every run and check nothing it uses; `manage.py check` runs them.
    requires_system_checks = []
    help = (
        "Allocate booths. With --instance FILE.json: print the result of a standalone instance as JSON "
        "(ALLOCATION_INSTANCE.md). With SITE_SLUG: allocate that site's accepted applications and write "
        "its assignments (those held by an offer are kept) and record the run, unless --dry-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("site", nargs="?", help="slug of the site to allocate")
        parser.add_argument("--instance", help="a JSON instance file to allocate instead of a site")
        parser.add_argument(
            "--seed",
            type=int,
            help="lottery seed (overrides the instance's seed; for a site, drawn by the system when absent)",
        )
        parser.add_argument("--dry-run", action="store_true", help="print the summary, write nothing")

    def handle(self, *args, **options):
        if options["instance"]:
            if options["site"]:
                raise CommandError("Give either --instance FILE or a site slug, not both.", returncode=2)
            self._instance(options["instance"], options["seed"])
            return
        if not options["site"]:
            raise CommandError("Give a site slug or --instance FILE.json.", returncode=2)
        self._site(options["site"], options["seed"], options["dry_run"])

    def _instance(self, path: str, seed: int | None) -> None:
        try:
            text = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.", returncode=2) from error
        try:
            instance = load_instance(text, seed=seed)
        except InstanceError as error:
            raise CommandError(f"{path}: {error}", returncode=2) from error
        result = allocate(instance)
        # Standard output is the result alone, the same bytes on every run; the time goes to stderr.
        self.stdout.write(result_json(result))
        self.stderr.write(f"allocated in {result.seconds:.2f} s", style_func=str)  # a note, not an error

    def _site(self, slug: str, seed: int | None, dry_run: bool) -> None:
        site = Site.objects.filter(slug=slug).first()
        if site is None:
            raise CommandError(f"No site with the slug {slug!r}.", returncode=2)
        busy = None if dry_run else active_run(site)
        if busy is not None:
            raise CommandError(
                f"Allocation run {busy.pk} of {slug} is still {busy.status}; wait for it to finish.",
                returncode=2,
            )
        run = allocate_site(site, seed=seed, dry_run=dry_run)
        result = run.result
        self.stdout.write(
            f"{site.slug}: {len(run.instance.applications)} accepted applications, "
            f"{len(run.instance.booths)} booths, {len(run.instance.days)} open days, seed {run.instance.seed}"
        )
        if run.run is not None:
            self.stdout.write(f"  commitment {run.run.commitment} (SHA-256 of the instance the run used)")
        for level, figures in result.levels.items():
            self.stdout.write(
                f"  priority {level}: {figures['placed']} placed, {figures['unplaced']} unplaced, "
                f"{figures['booth_days']} of {figures['asked_booth_days']} booth-days"
            )
        self.stdout.write(f"  booth-days placed: {result.booth_days} in {result.seconds:.2f} s")
        if dry_run:
            self.stdout.write("Dry run: nothing written.")
        else:
            self.stdout.write(
                f"Wrote {run.written} assignments (booth-days); kept {run.kept} held by offers. "
                f"Recorded as allocation run {run.run.pk}: review and publish it on the site's allocation page."
            )
