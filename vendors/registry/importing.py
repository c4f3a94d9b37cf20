"""import_registry(): a registry export into vendors, batch by batch, as a dry, plain or strict run.

Each batch of rows is checked (each row's own cells, then the clashes across rows and with the
database), written in one transaction unless the run is dry, and reported row by row in the
file's order. The same verdicts come from every kind of run and every batch size.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, reset_queries, transaction
from django.utils import timezone

from bazaarche.spreadsheets import CsvWriter
from bazaarche.validators import clean_tracking_code

from .checks import Candidate, Lookups, Memo, RowChecker
from .claims import Claims, FileState
from .columns import FIELD_OF_COLUMN, SEARCH_FIELDS
from .reading import MAX_CELL_CHARS, MAX_ROWS, Source, map_headers
from .rejections import RowError, UnusableFile, shortened
from .report import KEEP_REJECTED, REPORT_COLUMNS, ImportSummary, RowVerdict, write_bom
from .writing import Outcome, companies_changed, refresh_companies, write_batch


class _Importer:
    """One pass over the file, batch by batch: writing (`write`) or only saying what it would write."""

    def __init__(
        self,
        src: Source,
        *,
        write: bool,
        report: IO[str] | None,
        progress,
        batch_size: int,
        bom: bool = True,
    ):
        self.src = src
        self.write = write
        self.progress = progress
        self.batch_size = max(1, batch_size)
        self.summary = ImportSummary(written=write)
        self.state = FileState()
        self.memo = Memo()
        self.report = None
        if report is not None:
            if bom:
                write_bom(report)
            self.report = CsvWriter(report)
            self.report.writerow(REPORT_COLUMNS)
        self.create_action = "created" if write else "would_create"
        self.update_action = "updated" if write else "would_update"

    def run(self) -> ImportSummary:
        from vendors.models import Vendor

        self.lookups = Lookups()
        self.model_fields = [f.attname for f in Vendor._meta.concrete_fields]
        with self.src.table() as table, contextlib.closing(self.state):
            positions = map_headers(table.headers)
            self.checker = RowChecker(positions, self.lookups, self.memo)
            self.tracking_index = positions["tracking_code"]
            # The Vendor fields the file speaks for; the others are left as they are on update.
            self.update_fields = sorted(
                {FIELD_OF_COLUMN[key] for key in positions if key in FIELD_OF_COLUMN}
                | {"search_text", "updated_at"}
            )
            batch: list[tuple[int, list[str]]] = []
            for record in table.rows:
                batch.append(record)
                if len(batch) >= self.batch_size:
                    self._batch(batch)
                    batch = []
            if batch:
                self._batch(batch)
        if self.summary.rows == 0:
            raise UnusableFile("empty", "header_only")
        return self.summary

    # One batch: check each row's own cells, then the clashes across rows and with the database,
    # then write the good rows in one transaction, then report every row in order.
    def _batch(self, records: list[tuple[int, list[str]]]) -> None:
        verdicts: list[RowVerdict | None] = [None] * len(records)
        codes: list[tuple[str, RowError | None]] = [self._tracking_code(cells) for _, cells in records]
        earlier = self.state.seen({code for code, error in codes if error is None})
        batch_seen: dict[str, int] = {}  # tracking codes first seen in this batch → their row
        batch_dropped: set[str] = set()
        candidates: list[Candidate] = []
        for index, ((row, cells), (code, error)) in enumerate(zip(records, codes, strict=True)):
            try:
                if error is not None:
                    raise error
                first_row = earlier[code][0] if code in earlier else batch_seen.get(code)
                if first_row is not None:
                    raise RowError(
                        "duplicate_tracking_code", "tracking_code", value=code, first_row=first_row
                    )
                batch_seen[code] = row
                try:
                    fields, company_nid = self.checker.check(cells)
                except RowError:
                    batch_dropped.add(code)
                    raise
                fields["tracking_code"] = code
                candidates.append(Candidate(index, row, code, fields, company_nid))
            except RowError as error:
                verdicts[index] = self._rejected(row, code, error)

        outcome = self._decide(candidates, batch_seen)
        if self.write and (
            outcome.creates or outcome.updates or companies_changed(outcome, self.lookups.companies)
        ):
            try:
                write_batch(outcome, self.lookups.companies, self.update_fields)
            except IntegrityError:
                # Another import wrote the same vendors meanwhile: look again once, then give up on this batch.
                refresh_companies(candidates, self.lookups.companies)
                outcome = self._decide(candidates, batch_seen)
                try:
                    write_batch(outcome, self.lookups.companies, self.update_fields)
                except IntegrityError:
                    outcome = Outcome()
                    for candidate in candidates:
                        outcome.reject(candidate, RowError("write_conflict", "tracking_code"))

        self.state.record(batch_seen, batch_dropped | outcome.dropped, outcome.permits, outcome.mobiles)
        for candidate in candidates:
            error = outcome.rejected.get(candidate.index)
            if error is not None:
                verdicts[candidate.index] = self._rejected(candidate.row, candidate.code, error)
            else:
                action = outcome.actions[candidate.index]
                verdicts[candidate.index] = RowVerdict(candidate.row, candidate.code, action)
                if action == "unchanged":
                    self.summary.unchanged += 1
                elif action == self.create_action:
                    self.summary.created += 1
                else:
                    self.summary.updated += 1
        self.summary.rows += len(records)
        if self.report is not None:
            self.report.writerows(
                (v.row, v.tracking_code, v.action, v.column, v.code, v.reason_fa, v.reason_en)
                for v in verdicts
                if v is not None
            )
        # With DEBUG on, Django keeps every query's SQL; a long import would keep thousands.
        reset_queries()
        if self.progress is not None:
            self.progress(self.summary.rows)

    def _tracking_code(self, cells: list[str]) -> tuple[str, RowError | None]:
        """The row's tracking code (as typed when it is not valid) and its problem, if any."""
        index = self.tracking_index
        if index < len(cells) and len(cells[index]) > MAX_CELL_CHARS:
            return shortened(self.memo.norm(cells[index])), RowError(
                "cell_too_long", "tracking_code", limit=MAX_CELL_CHARS
            )
        raw = self.memo.norm(cells[index]) if index < len(cells) else ""
        if not raw:
            return "", RowError("missing_tracking_code", "tracking_code", "missing")
        try:
            return clean_tracking_code(raw), None
        except ValidationError:
            return shortened(raw), RowError("bad_tracking_code", "tracking_code", value=raw)

    def _rejected(self, row: int, code: str, error: RowError) -> RowVerdict:
        fa, en = error.reasons()
        verdict = RowVerdict(row, code, "rejected", error.column, error.code, fa, en)
        self.summary.rejected += 1
        if len(self.summary.rejected_rows) < KEEP_REJECTED:
            self.summary.rejected_rows.append(verdict)
        return verdict

    def _decide(self, candidates: list[Candidate], batch_seen: dict[str, int]) -> Outcome:
        """The checks across rows and against the database, and what to write. Changes no state."""
        from vendors.models import Vendor

        outcome = Outcome()
        if not candidates:
            return outcome
        codes = [c.code for c in candidates]
        existing = {
            row["tracking_code"]: row
            for row in Vendor.objects.filter(tracking_code__in=codes).values(*self.model_fields)
        }
        claims = Claims(candidates, batch_seen, self.state)
        now = timezone.now()
        for candidate in candidates:
            error = claims.clash(candidate, outcome)
            if error is not None:
                outcome.reject(candidate, error)
                continue
            claims.accept(candidate, outcome)
            self._plan(candidate, existing.get(candidate.code), outcome, now)
        return outcome

    def _plan(self, candidate: Candidate, current: dict[str, Any] | None, outcome: Outcome, now) -> None:
        from vendors.models import Vendor

        fields = dict(candidate.fields)
        company_pending = False
        if candidate.company_nid is not None:
            entry = self.lookups.companies[candidate.company_nid]
            fields["support_company_id"] = entry[0]
            company_pending = entry[0] is None
            outcome.companies.add(candidate.company_nid)
        if current is None:
            if not fields.get("business_name"):
                fields["business_name"] = f"{fields['first_name']} {fields['last_name']}"
            fields["search_text"] = self._search_text(fields)
            fields["created_at"] = fields["updated_at"] = now
            outcome.creates.append((fields, candidate.company_nid))
            outcome.actions[candidate.index] = self.create_action
            return
        if "business_name" in fields and not fields["business_name"]:
            fields["business_name"] = f"{fields['first_name']} {fields['last_name']}"
        merged = {**current, **fields}
        fields["search_text"] = self._search_text(merged)
        changed = company_pending or any(current[name] != value for name, value in fields.items())
        if not changed:
            outcome.actions[candidate.index] = "unchanged"
            return
        fields["updated_at"] = now
        outcome.updates.append((Vendor(pk=current["id"], **fields), candidate.company_nid))
        outcome.actions[candidate.index] = self.update_action

    def _search_text(self, fields: dict[str, Any]) -> str:
        # Exactly what Vendor.save() stores, so that bulk writes are found by the same searches.
        return " ".join(self.memo.fold(fields[name]) for name in SEARCH_FIELDS)


def import_registry(
    source: Any,
    *,
    name: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    report: IO[str] | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 1000,
    max_rows: int = MAX_ROWS,
) -> ImportSummary:
    """Import a registry export (a path, or a binary file object with `name` telling CSV from XLSX).

    Good rows are written batch by batch, one transaction per batch; a dry run writes nothing and
    gives the same verdicts (would_create / would_update); a strict run checks every row first and
    writes nothing at all when any row is rejected, else writes everything in one transaction.
    `report`, an open text file, receives one CSV line per row (UTF-8 with a BOM for Excel);
    `progress(rows_done)` is called after each batch (in a strict run, during both passes).
    Raises UnusableFile, before anything is written, when the file as a whole cannot be used (or has
    more than max_rows rows; an XLSX that says it has fewer than it holds is refused when the
    reading reaches max_rows, and in a plain run the batches before are kept).
    """
    src = Source(source, name, max_rows)
    try:
        src.check_registry()

        def run(write: bool, report_to: IO[str] | None, bom: bool = True) -> ImportSummary:
            importer = _Importer(
                src, write=write, report=report_to, progress=progress, batch_size=batch_size, bom=bom
            )
            return importer.run()

        if dry_run:
            return run(False, report)
        if not strict:
            return run(True, report)
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as buffer:
            checked = run(False, buffer if report is not None else None, bom=False)
            if checked.rejected:
                if report is not None:
                    write_bom(report)
                    buffer.seek(0)
                    shutil.copyfileobj(buffer, report)
                return checked
        with transaction.atomic():
            summary = run(True, report)
            if summary.rejected:
                # The database changed between the two passes: strict means all or nothing.
                transaction.set_rollback(True)
                summary.written = False
        return summary
    finally:
        src.close()
