"""What an import says: a verdict for every row, the summary of them, and the report CSV's shape.

The report CSV goes to organisers who open it in Excel, so it starts with a byte-order mark and
has one line per row of the file, in the file's order, with the columns of REPORT_COLUMNS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

# How many rejected verdicts ImportSummary keeps in memory; all of them are counted and reported.
KEEP_REJECTED = 1000
REPORT_COLUMNS = ("row", "tracking_code", "action", "column", "code", "reason_fa", "reason_en")


@dataclass
class RowVerdict:
    """What became of one row of the file: its action, and for a rejected row the first problem."""

    row: int
    tracking_code: str
    action: str
    column: str = ""
    code: str = ""
    reason_fa: str = ""
    reason_en: str = ""


@dataclass
class ImportSummary:
    """The counts of an import, and its first KEEP_REJECTED rejected rows."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    written: bool = False
    rejected_rows: list[RowVerdict] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0


def write_bom(report: IO[str]) -> None:
    # Excel reads a CSV as UTF-8 only when it starts with a BOM; a utf-8-sig stream writes its own.
    if (getattr(report, "encoding", "") or "").lower().replace("-", "_") != "utf_8_sig":
        report.write("\ufeff")
