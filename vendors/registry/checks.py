"""One row's own cells, normalised and validated into Vendor fields; the first problem rejects the row.

Registry columns repeat a lot (names, counties, dates), so the costly normalisations are cached
per import (Memo), and counties, categories and support companies are loaded once (Lookups).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from bazaarche.jalali import parse_jalali
from bazaarche.text import fold, normalize, normalize_multiline
from bazaarche.validators import clean_company_id, clean_mobile, clean_national_id, clean_postal_code

from .columns import COLUMNS, COLUMNS_BY_KEY
from .reading import MAX_CELL_CHARS
from .rejections import RowError

_GENDERS = {"زن": "F", "خانم": "F", "f": "F", "female": "F", "مرد": "M", "اقا": "M", "m": "M", "male": "M"}
_PERMIT_TYPES = {
    "مستقل": "independent",
    "independent": "independent",
    "پشتیبان": "support",
    "شرکتپشتیبان": "support",
    "support": "support",
    "supportcompany": "support",
    "کارمزدی": "piece_rate",
    "piecerate": "piece_rate",
}
_YES = {"بله", "اری", "دارد", "yes", "y", "1", "true"}
_NO = {"خیر", "نه", "ندارد", "no", "n", "0", "false"}


class Memo:
    """Per-import caches for the costly normalisations. Registry columns repeat a lot (names,
    counties, dates); the caches are emptied when they fill, so memory stays bounded."""

    LIMIT = 20_000

    def __init__(self) -> None:
        self.text: dict[str, str] = {}
        self.folded: dict[str, str] = {}
        self.dates: dict[str, datetime.date | None] = {}

    def norm(self, value: str) -> str:
        if value.isascii() and value.isprintable():
            # For printable ASCII, normalize() only collapses space runs and strips the ends (it also
            # drops control characters, so text with a tab or a control character takes the long way).
            return value if value.isdigit() else " ".join(value.split())
        result = self.text.get(value)
        if result is None:
            if len(self.text) >= self.LIMIT:
                self.text.clear()
            result = self.text[value] = normalize(value)
        return result

    def fold(self, value: str) -> str:
        if value.isascii() and value.isdigit():
            return value
        result = self.folded.get(value)
        if result is None:
            if len(self.folded) >= self.LIMIT:
                self.folded.clear()
            result = self.folded[value] = fold(value)
        return result

    def jalali(self, value: str) -> datetime.date | None:
        """The date, or None when value is not a Jalali date."""
        try:
            return self.dates[value]
        except KeyError:
            pass
        try:
            result: datetime.date | None = parse_jalali(value)
        except ValueError:
            result = None
        if len(self.dates) >= self.LIMIT:
            self.dates.clear()
        self.dates[value] = result
        return result


class Lookups:
    """Counties, categories and support companies, loaded once per import."""

    def __init__(self) -> None:
        from vendors.models import Category, County, CountyAlias, SupportCompany

        self.counties: dict[str, int | None] = {}
        for pk, slug, name_fa, name_en in County.objects.values_list("pk", "slug", "name_fa", "name_en"):
            for name in {slug, name_fa, name_en}:
                if name:
                    self._add_county(fold(name), pk)
        for pk, key in CountyAlias.objects.values_list("county_id", "key"):
            self._add_county(key, pk)
        self.categories: dict[str, int] = dict(Category.objects.values_list("code", "pk"))
        # national ID → [pk or None while not yet created, name in the database, name wanted]
        self.companies: dict[str, list[Any]] = {
            nid: [pk, name, name]
            for pk, nid, name in SupportCompany.objects.values_list("pk", "national_id", "name")
        }

    def _add_county(self, key: str, pk: int) -> None:
        # Two provinces may one day share a county name: such a name identifies no county.
        if key in self.counties and self.counties[key] != pk:
            self.counties[key] = None
        else:
            self.counties[key] = pk

    def county(self, value: str, memo: Memo) -> int | None:
        key = memo.fold(value)
        if key not in self.counties and key.startswith(_COUNTY_PREFIX):
            key = key[len(_COUNTY_PREFIX) :]
        if key not in self.counties:
            raise RowError("unknown_county", "county", value=value)
        pk = self.counties[key]
        if pk is None:
            raise RowError("unknown_county", "county", "ambiguous_county", value=value)
        return pk


_COUNTY_PREFIX = fold("شهرستان")


@dataclass(slots=True)
class Candidate:
    """A row that passed the checks of its own cells, waiting for the checks across rows."""

    index: int  # position in the batch
    row: int
    code: str
    fields: dict[str, Any]
    company_nid: str | None


class RowChecker:
    """The checks of one row's own cells, for a file whose headers put the columns at `positions`."""

    def __init__(self, positions: dict[str, int], lookups: Lookups, memo: Memo):
        self.positions = positions
        self.lookups = lookups
        self.memo = memo
        self.present = set(positions)
        self.ordered = [column.key for column in COLUMNS if column.key in positions]

    def _refuse_overlong(self, cells: list[str]) -> None:
        if not cells or max(map(len, cells)) <= MAX_CELL_CHARS:
            return
        for key in self.ordered:
            index = self.positions[key]
            if index < len(cells) and len(cells[index]) > MAX_CELL_CHARS:
                raise RowError("cell_too_long", key, limit=MAX_CELL_CHARS)

    def cell(self, cells: list[str], key: str) -> str:
        index = self.positions.get(key)
        if index is None or index >= len(cells):
            return ""
        return self.memo.norm(cells[index])

    def text(self, cells: list[str], key: str) -> str:
        value = self.cell(cells, key)
        column = COLUMNS_BY_KEY[key]
        if column.required and not value:
            raise RowError(f"missing_{key}", key, "missing")
        if column.max_length and len(value) > column.max_length:
            raise RowError("too_long", key, length=len(value), limit=column.max_length)
        return value

    def date(self, cells: list[str], key: str) -> datetime.date | None:
        value = self.text(cells, key)
        if not value:
            return None
        result = self.memo.jalali(value)
        if result is None:
            year = value[:4]
            message = "bad_jalali_gregorian" if year.isdigit() and int(year) >= 1700 else "bad_jalali"
            raise RowError("bad_jalali", key, message, value=value)
        return result

    def yes_no(self, cells: list[str], key: str) -> bool:
        value = self.cell(cells, key)
        folded = self.memo.fold(value)
        if not folded or folded in _NO:
            return False
        if folded in _YES:
            return True
        raise RowError("bad_yes_no", key, value=value)

    def check(self, cells: list[str]) -> tuple[dict[str, Any], str | None]:
        """The Vendor fields of one row (only for the columns the file has), and the support
        company's national ID; raises RowError for the first problem, in column order."""
        fields: dict[str, Any] = {}
        present = self.present
        # The tracking code is checked by the caller, first.
        self._refuse_overlong(cells)
        if "permit_id" in present:
            fields["permit_id"] = self.text(cells, "permit_id") or None
        raw = self.text(cells, "national_id")
        try:
            fields["national_id"] = clean_national_id(raw)
        except ValidationError:
            raise RowError("bad_national_id", "national_id", value=raw) from None
        fields["first_name"] = self.text(cells, "first_name")
        fields["last_name"] = self.text(cells, "last_name")
        if "gender" in present:
            raw = self.cell(cells, "gender")
            gender = _GENDERS.get(self.memo.fold(raw), None) if raw else ""
            if gender is None:
                raise RowError("bad_gender", "gender", value=raw)
            fields["gender"] = gender
        raw = self.text(cells, "mobile")
        try:
            fields["mobile"] = clean_mobile(raw)
        except ValidationError:
            raise RowError("bad_mobile", "mobile", value=raw) from None
        if "birth_date" in present:
            fields["birth_date"] = self.date(cells, "birth_date")
        if "business_name" in present:
            fields["business_name"] = self.text(cells, "business_name")
        raw = self.text(cells, "category_code")
        category = self.lookups.categories.get(raw)
        if category is None:
            raise RowError("unknown_category", "category_code", value=raw)
        fields["category_id"] = category
        raw = self.text(cells, "permit_type")
        permit_type = _PERMIT_TYPES.get(self.memo.fold(raw).replace("_", "").replace("-", ""))
        if permit_type is None:
            raise RowError("bad_permit_type", "permit_type", value=raw)
        fields["permit_type"] = permit_type
        company_nid = self._company(cells, permit_type)
        if company_nid is not None or {"support_company", "support_company_id"} & present:
            fields["support_company_id"] = company_nid  # resolved to a pk later
        issued = self.date(cells, "permit_issued")
        expires = self.date(cells, "permit_expires")
        assert issued is not None and expires is not None
        if expires <= issued:
            raise RowError(
                "expires_before_issue",
                "permit_expires",
                value=self.cell(cells, "permit_expires"),
                issued=self.cell(cells, "permit_issued"),
            )
        fields["permit_issued"], fields["permit_expires"] = issued, expires
        fields["county_id"] = self.lookups.county(self.text(cells, "county"), self.memo)
        if "city" in present:
            fields["city"] = self.text(cells, "city")
        if "address" in present:
            index = self.positions["address"]
            fields["address"] = normalize_multiline(cells[index]) if index < len(cells) else ""
        if "postal_code" in present:
            raw = self.cell(cells, "postal_code")
            try:
                fields["postal_code"] = clean_postal_code(raw) if raw else ""
            except ValidationError:
                raise RowError("bad_postal_code", "postal_code", value=raw) from None
        for key in ("female_head_of_household", "disability"):
            if key in present:
                fields[key] = self.yes_no(cells, key)
        return fields, company_nid

    def _company(self, cells: list[str], permit_type: str) -> str | None:
        name = self.text(cells, "support_company")
        raw = self.cell(cells, "support_company_id")
        nid = None
        if raw:
            try:
                nid = clean_company_id(raw)
            except ValidationError:
                raise RowError("bad_company_id", "support_company_id", value=raw) from None
        if permit_type == "piece_rate":
            if not name:
                raise RowError(
                    "missing_support_company", "support_company", "missing_support_company_piece_rate"
                )
            if nid is None:
                raise RowError(
                    "missing_support_company", "support_company_id", "missing_support_company_piece_rate"
                )
        if nid is None:
            return None
        entry = self.lookups.companies.get(nid)
        if entry is None:
            if not name:
                raise RowError(
                    "missing_support_company", "support_company", "missing_support_company_new", value=nid
                )
            self.lookups.companies[nid] = [None, None, name]
        elif name:
            entry[2] = name
        return nid
