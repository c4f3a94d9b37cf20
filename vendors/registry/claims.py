"""The checks across rows: a tracking code, a permit ID or a mobile that another row already claims.

A clash may be with an earlier row of the same batch, of an earlier batch, or with a vendor in the
database. What the earlier batches claimed is kept in a scratch SQLite database (FileState), so
memory stays flat however long the file is; Claims gathers, for one batch, who holds its rows'
permit IDs and mobiles, and answers row by row as the batch's rows are accepted in order.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from .rejections import RowError

if TYPE_CHECKING:
    from .checks import Candidate
    from .writing import Outcome


class FileState:
    """What earlier rows of the file claimed, to find clashes across the whole file: the first row
    of each tracking code (and whether it was rejected), and the permit IDs and mobiles of accepted
    rows. It lives in a private scratch SQLite database, which spills to a temporary file past a
    small cache, so memory stays flat however long the file is."""

    CHUNK = 500  # keys per lookup, well under SQLite's limit on parameters

    def __init__(self) -> None:
        # "" names a private temporary database, deleted when closed.
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -2000;
            CREATE TABLE seen (code TEXT PRIMARY KEY, first_row INTEGER, dropped INTEGER) WITHOUT ROWID;
            CREATE TABLE permits (permit TEXT PRIMARY KEY, code TEXT) WITHOUT ROWID;
            CREATE TABLE mobiles (mobile TEXT PRIMARY KEY, national_id TEXT) WITHOUT ROWID;
            """
        )

    def close(self) -> None:
        self.db.close()

    def _lookup(self, sql: str, keys: set[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        ordered = list(keys)
        for start in range(0, len(ordered), self.CHUNK):
            chunk = ordered[start : start + self.CHUNK]
            for key, *values in self.db.execute(sql.format(",".join("?" * len(chunk))), chunk):
                found[key] = tuple(values) if len(values) > 1 else values[0]
        return found

    def seen(self, codes: set[str]) -> dict[str, tuple[int, int]]:
        """tracking code → (row number of its first row, 1 if that row was rejected)."""
        return self._lookup("SELECT code, first_row, dropped FROM seen WHERE code IN ({})", codes)

    def permits(self, permits: set[str]) -> dict[str, str]:
        """permit ID → the tracking code of the accepted row that holds it."""
        return self._lookup("SELECT permit, code FROM permits WHERE permit IN ({})", permits)

    def mobiles(self, mobiles: set[str]) -> dict[str, str]:
        """mobile → the national ID of the accepted rows that hold it."""
        return self._lookup("SELECT mobile, national_id FROM mobiles WHERE mobile IN ({})", mobiles)

    def record(
        self, seen: dict[str, int], dropped: set[str], permits: dict[str, str], mobiles: dict[str, str]
    ):
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT INTO seen VALUES (?, ?, ?)", ((code, row, code in dropped) for code, row in seen.items())
        )
        self.db.executemany("INSERT OR REPLACE INTO permits VALUES (?, ?)", permits.items())
        self.db.executemany("INSERT OR REPLACE INTO mobiles VALUES (?, ?)", mobiles.items())
        self.db.execute("COMMIT")


class Claims:
    """Who holds the permit IDs and mobiles of one batch's rows: vendors in the database (loaded
    once, with a few queries), accepted rows of earlier batches (FileState), and the rows accepted
    so far in this batch (the Outcome). `clash` is asked for each row in the batch's order."""

    def __init__(self, candidates: list[Candidate], batch_seen: dict[str, int], state: FileState):
        from vendors.models import Vendor

        self.batch_seen = batch_seen
        permits = {c.fields["permit_id"] for c in candidates if c.fields.get("permit_id")}
        self.permit_owners: dict[str, str] = dict(
            Vendor.objects.filter(permit_id__in=permits).values_list("permit_id", "tracking_code")
            if permits
            else ()
        )
        mobiles = {c.fields["mobile"] for c in candidates}
        self.mobile_owners: dict[str, list[tuple[str, str]]] = {}
        for mobile, national_id, code in Vendor.objects.filter(mobile__in=mobiles).values_list(
            "mobile", "national_id", "tracking_code"
        ):
            self.mobile_owners.setdefault(mobile, []).append((national_id, code))
        self.permits_in_file = state.permits(permits)
        self.mobiles_in_file = state.mobiles(mobiles)
        owners = set(self.permit_owners.values()) | {
            code for o in self.mobile_owners.values() for _, code in o
        }
        self.owners_in_file = state.seen(owners - batch_seen.keys())
        self.accepted_here: set[str] = set()

    def clash(self, candidate: Candidate, outcome: Outcome) -> RowError | None:
        """The row's clash over its permit ID, else over its mobile; None when it has none."""
        error = self._permit_clash(candidate, outcome)
        if error is None:
            error = self._mobile_clash(candidate, outcome)
        return error

    def accept(self, candidate: Candidate, outcome: Outcome) -> None:
        """The row holds its permit ID and mobile from now on, for the rows after it."""
        fields = candidate.fields
        self.accepted_here.add(candidate.code)
        if fields.get("permit_id"):
            outcome.permits[fields["permit_id"]] = candidate.code
        outcome.mobiles[fields["mobile"]] = fields["national_id"]

    def _permit_clash(self, candidate: Candidate, outcome: Outcome) -> RowError | None:
        permit = candidate.fields.get("permit_id")
        if not permit:
            return None
        other = outcome.permits.get(permit) or self.permits_in_file.get(permit)
        if other is None:
            db_owner = self.permit_owners.get(permit)
            # Taking over a permit ID within one batch could clash inside one UPDATE, so it
            # is allowed only from a vendor whose new row came in an earlier batch.
            if db_owner is not None and db_owner != candidate.code and not self._taken_over(db_owner, False):
                other = db_owner
        if other is None:
            return None
        return RowError("duplicate_permit_id", "permit_id", value=permit, other=other)

    def _mobile_clash(self, candidate: Candidate, outcome: Outcome) -> RowError | None:
        mobile, national_id = candidate.fields["mobile"], candidate.fields["national_id"]
        owner_nid = outcome.mobiles.get(mobile) or self.mobiles_in_file.get(mobile)
        if owner_nid is not None and owner_nid != national_id:
            return RowError("mobile_taken", "mobile", "mobile_taken_file", value=mobile)
        clash = next(
            (
                other_code
                for other_nid, other_code in self.mobile_owners.get(mobile, ())
                if other_code != candidate.code
                and other_nid != national_id
                and not self._taken_over(other_code, True)
            ),
            None,
        )
        if clash is None:
            return None
        return RowError("mobile_taken", "mobile", "mobile_taken_db", value=mobile, other=clash)

    def _taken_over(self, code: str, include_this_batch: bool) -> bool:
        # A database vendor whose row this file has already accepted: the file's values count
        # for it, not the database's (in a dry run the database still holds the old ones).
        if code in self.batch_seen:
            return include_this_batch and code in self.accepted_here
        return code in self.owners_in_file and not self.owners_in_file[code][1]
