"""What one batch writes, and the writing of it in one transaction.

An Outcome is a batch's plan: the verdict of each row that passed its own checks, the vendors to
create and update, the support companies they name, and what the accepted rows now claim. Nothing
is written while it is made, so a dry run and a real run give the same verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction

from .rejections import RowError

if TYPE_CHECKING:
    from .checks import Candidate


@dataclass
class Outcome:
    """One batch's plan, by the row's index in the batch; made by the importer, carried out by write_batch."""

    actions: dict[int, str] = field(default_factory=dict)
    rejected: dict[int, RowError] = field(default_factory=dict)
    creates: list[tuple[dict[str, Any], str | None]] = field(default_factory=list)
    updates: list[tuple[Any, str | None]] = field(default_factory=list)
    companies: set[str] = field(default_factory=set)
    permits: dict[str, str] = field(default_factory=dict)  # permit ID → tracking code
    mobiles: dict[str, str] = field(default_factory=dict)  # mobile → national ID
    dropped: set[str] = field(default_factory=set)  # tracking codes rejected here

    def reject(self, candidate: Candidate, error: RowError) -> None:
        self.rejected[candidate.index] = error
        self.dropped.add(candidate.code)


def write_batch(outcome: Outcome, companies: dict[str, list[Any]], update_fields: list[str]) -> None:
    """Carry out one batch's Outcome in one transaction: new and renamed support companies first,
    then the vendors; `companies` (Lookups.companies) learns the new pks and names once written."""
    from vendors.models import SupportCompany, Vendor

    with transaction.atomic():
        new = [nid for nid in outcome.companies if companies[nid][0] is None]
        if new:
            SupportCompany.objects.bulk_create(
                SupportCompany(national_id=nid, name=companies[nid][2]) for nid in new
            )
            created = dict(
                SupportCompany.objects.filter(national_id__in=new).values_list("national_id", "pk")
            )
        else:
            created = {}
        for nid in outcome.companies:
            entry = companies[nid]
            if entry[0] is not None and entry[1] != entry[2]:
                SupportCompany.objects.filter(pk=entry[0]).update(name=entry[2])
        for vendor, nid in outcome.updates:
            if nid in created:
                vendor.support_company_id = created[nid]
        for fields, nid in outcome.creates:
            if nid in created:
                fields["support_company_id"] = created[nid]
        if outcome.updates:
            Vendor.objects.bulk_update([v for v, _ in outcome.updates], update_fields)
        if outcome.creates:
            _insert_vendors([fields for fields, _ in outcome.creates])
    for nid in outcome.companies:
        entry = companies[nid]
        if entry[0] is None:
            entry[0] = created[nid]
        entry[1] = entry[2]


def companies_changed(outcome: Outcome, companies: dict[str, list[Any]]) -> bool:
    # A company renamed by a row whose vendor is otherwise unchanged still needs writing.
    return any(
        companies[nid][0] is None or companies[nid][1] != companies[nid][2] for nid in outcome.companies
    )


def refresh_companies(candidates: list[Candidate], companies: dict[str, list[Any]]) -> None:
    """Read the batch's support companies again, after another import may have written them."""
    from vendors.models import SupportCompany

    nids = {c.company_nid for c in candidates if c.company_nid is not None}
    for pk, nid, name in SupportCompany.objects.filter(national_id__in=nids).values_list(
        "pk", "national_id", "name"
    ):
        entry = companies[nid]
        entry[0], entry[1] = pk, name


def _insert_vendors(rows: list[dict[str, Any]]) -> None:
    """INSERT new vendors with one executemany. bulk_create does the same, but builds a model
    instance and prepares every value through the ORM's generic machinery, which made it most of
    the time of a large import. Values go through each field's get_db_prep_save all the same."""
    from django.db import connections, router

    from vendors.models import Vendor

    connection = connections[router.db_for_write(Vendor)]
    quote = connection.ops.quote_name
    fields = [f for f in Vendor._meta.concrete_fields if not f.primary_key]
    text_fields = {"CharField", "TextField"}
    prepare = [
        (f.attname, f.get_default(), None if f.get_internal_type() in text_fields else f) for f in fields
    ]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(Vendor._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    params = [
        [
            row.get(attname, default)
            if field is None
            else field.get_db_prep_save(row.get(attname, default), connection)
            for attname, default, field in prepare
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
