"""`manage.py import_categories FILE`: create or update registry categories from a CSV or XLSX list.

Columns: code, title_fa, group_fa, group_en, starred (and optionally title_en). Exit codes: 0 every
row used; 1 some rows rejected (listed); 2 the file is unusable.
"""

import sys

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from bazaarche.text import to_persian_digits
from vendors.management.commands.import_registry import in_both
from vendors.reference_data import import_categories
from vendors.registry.rejections import UnusableFile


class Command(BaseCommand):
    help = (
        "Create or update categories from a CSV or XLSX with the columns code, title_fa, group_fa, "
        "group_en, starred[, title_en]. Exit 0: all rows used; 1: some rows rejected; 2: unusable file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the category list, .csv (UTF-8) or .xlsx")

    def handle(self, *args, **options):
        try:
            result = import_categories(options["file"])
        except UnusableFile as error:
            self.stderr.write(f"{error.message_fa}\n{error.message_en}")
            sys.exit(2)
        for row, reason_fa, reason_en in result.rejected:
            with translation.override("fa"):
                fa = gettext("Row %(row)s: %(reason)s") % {"row": to_persian_digits(row), "reason": reason_fa}
            with translation.override("en"):
                en = gettext("Row %(row)s: %(reason)s") % {"row": row, "reason": reason_en}
            self.stdout.write(f"{fa} / {en}")
        self.stdout.write(
            in_both(
                gettext_noop(
                    "Categories created: %(created)s; updated: %(updated)s; unchanged: %(unchanged)s; "
                    "rejected: %(rejected)s."
                ),
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
                rejected=len(result.rejected),
            )
        )
        if result.rejected:
            sys.exit(1)
