"""`manage.py import_registry FILE [--dry-run] [--strict] [--report OUT.csv]`: the registry export into vendors.

Exit codes: 0 every row imported; 1 some rows rejected (listed, with a summary); 2 the file is
unusable (nothing written).
"""

import contextlib
import csv
import sys
import tempfile

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from bazaarche.text import to_persian_digits
from vendors.registry.columns import COLUMNS_BY_KEY
from vendors.registry.importing import import_registry
from vendors.registry.rejections import UnusableFile
from vendors.registry.report import ImportSummary


def in_both(msgid: str, **params) -> str:
    """One line in Persian (Persian digits) and English: «… / …»."""
    params_fa = {k: to_persian_digits(v) if isinstance(v, int) else v for k, v in params.items()}
    with translation.override("fa"):
        fa = gettext(msgid) % params_fa
    with translation.override("en"):
        en = gettext(msgid) % params
    return f"{fa} / {en}"


def summary_line(summary: ImportSummary, dry_run: bool) -> str:
    counts = {
        "rows": summary.rows,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "rejected": summary.rejected,
    }
    if dry_run:
        return in_both(
            gettext_noop(
                "Dry run, nothing was saved. Rows: %(rows)s; would be created: %(created)s; would be updated: "
                "%(updated)s; unchanged: %(unchanged)s; rejected: %(rejected)s."
            ),
            **counts,
        )
    if not summary.written:
        return in_both(
            gettext_noop(
                "Nothing was saved (--strict), because rows were rejected. Rows: %(rows)s; would be created: "
                "%(created)s; would be updated: %(updated)s; unchanged: %(unchanged)s; rejected: %(rejected)s."
            ),
            **counts,
        )
    return in_both(
        gettext_noop(
            "Rows: %(rows)s; created: %(created)s; updated: %(updated)s; unchanged: %(unchanged)s; "
            "rejected: %(rejected)s."
        ),
        **counts,
    )


class Command(BaseCommand):
    help = (
        "Import the home-jobs registry export (CSV or XLSX). Exit 0: every row imported; 1: some rows "
        "rejected; 2: the file is unusable."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the registry export, .csv (UTF-8) or .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--strict", action="store_true", help="write nothing unless every row is good")
        parser.add_argument("--report", metavar="OUT.csv", help="write one line per row to this CSV file")

    def handle(self, *args, **options):
        with contextlib.ExitStack() as stack:
            # Every row goes to a report, the named one or a scratch file, and the rejected rows are
            # printed from it: all of them, however many, without holding them in memory.
            if options["report"]:
                try:
                    report = open(options["report"], "w+", encoding="utf-8", newline="")
                except OSError as error:
                    self.stderr.write(
                        in_both(gettext_noop("The report cannot be written: %(error)s"), error=str(error))
                    )
                    sys.exit(2)
                stack.enter_context(report)
            else:
                report = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8", newline=""))
            try:
                summary = import_registry(
                    options["file"], dry_run=options["dry_run"], strict=options["strict"], report=report
                )
            except UnusableFile as error:
                self.stderr.write(f"{error.message_fa}\n{error.message_en}")
                sys.exit(2)
            report.seek(0)
            if report.read(1) != "\ufeff":
                report.seek(0)
            for line in csv.DictReader(report):
                if line["action"] == "rejected":
                    self.stdout.write(rejected_line(line))
        self.stdout.write(summary_line(summary, options["dry_run"]))
        if summary.exit_code:
            sys.exit(summary.exit_code)


def rejected_line(line: dict[str, str]) -> str:
    """«ردیف ۵ (تاریخ صدور): … / Row 5 (permit_issued): …» from a line of the report."""
    column = COLUMNS_BY_KEY[line["column"]]
    with translation.override("fa"):
        fa = gettext("Row %(row)s (%(column)s): %(reason)s") % {
            "row": to_persian_digits(line["row"]),
            "column": column.header_fa,
            "reason": line["reason_fa"],
        }
    with translation.override("en"):
        en = gettext("Row %(row)s (%(column)s): %(reason)s") % {
            "row": line["row"],
            "column": column.key,
            "reason": line["reason_en"],
        }
    return f"{fa} / {en}"
