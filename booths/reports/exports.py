"""CSV and XLSX exports of applications, assignments and admissions, for reporting to the ministry.

Like the vendor export (`vendors/directory.py`), the files are Persian whatever the interface
language: Persian headers, Jalali dates, right-to-left sheets, every cell text, and a byte-order
mark on CSV so that Excel reads UTF-8. Rows stream from the database in chunks, so a province-wide
export never holds every row in memory, and each export is one query.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone, translation

from bazaarche.jalali import to_jalali_string
from booths.models import Admission, Application, Assignment, Offer, Pass
from events.models import Site


@functools.lru_cache(maxsize=4096)
def _jalali(day: datetime.date) -> str:
    return to_jalali_string(day)


def _time(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def _persian_labels(choices) -> dict[str, str]:
    with translation.override("fa"):
        return {value: str(label) for value, label in choices}


def application_rows(applications: QuerySet[Application]) -> Iterator[list[str]]:
    statuses = _persian_labels(Application.Status.choices)
    queryset = (
        applications.select_related(
            "site__exhibition", "site__county", "vendor__county", "vendor__category__group"
        )
        .annotate(n_assigned=Count("assignments"))
        .order_by("site__start_date", "site_id", "-priority", "created_at", "pk")
    )
    for a in queryset.iterator(chunk_size=2000):
        vendor = a.vendor
        days = sorted(a.days or [])
        yield [
            a.site.exhibition.title_fa,
            a.site.title_fa,
            a.site.county.name_fa,
            vendor.tracking_code,
            vendor.first_name,
            vendor.last_name,
            vendor.business_name,
            vendor.county.name_fa,
            vendor.category.code,
            vendor.category.group.name_fa,
            statuses.get(a.status, a.status),
            str(a.priority),
            str(len(days)),
            "، ".join(_jalali(datetime.date.fromisoformat(d)) for d in days),
            str(a.n_assigned),
            _jalali(timezone.localtime(a.created_at).date()),
        ]


def assignment_rows(assignments: QuerySet[Assignment]) -> Iterator[list[str]]:
    offers = _persian_labels(Offer.Status.choices)
    queryset = assignments.select_related(
        "booth__hall__site__county", "application__vendor", "offer"
    ).order_by("date", "booth__hall__site_id", "booth__hall__position", "booth__code", "pk")
    for a in queryset.iterator(chunk_size=2000):
        site = a.booth.hall.site
        vendor = a.application.vendor
        yield [
            _jalali(a.date),
            site.title_fa,
            site.county.name_fa,
            a.booth.hall.name_fa,
            a.booth.code,
            vendor.tracking_code,
            vendor.first_name,
            vendor.last_name,
            vendor.business_name,
            offers.get(a.offer.status, a.offer.status) if a.offer else "",
        ]


def admission_rows(admissions: QuerySet[Admission]) -> Iterator[list[str]]:
    results = _persian_labels(Admission.Result.choices)
    holders = _persian_labels(Pass.Holder.choices)
    queryset = admissions.select_related("site__county", "gate", "pass_obj__application__vendor").order_by(
        "scanned_at", "pk"
    )
    for a in queryset.iterator(chunk_size=2000):
        pass_obj = a.pass_obj
        vendor = pass_obj.application.vendor if pass_obj else None
        yield [
            _jalali(a.date),
            _time(a.scanned_at),
            a.site.title_fa,
            a.site.county.name_fa,
            results.get(a.result, a.result),
            holders.get(pass_obj.holder, "") if pass_obj else "",
            pass_obj.holder_name if pass_obj else "",
            vendor.tracking_code if vendor else "",
            vendor.business_name if vendor else "",
            a.gate.name if a.gate else "",
        ]


@dataclass(frozen=True)
class Export:
    """One kind of export: its file name, sheet title, Persian headers and rows."""

    key: str
    sheet: str
    headers: tuple[str, ...]
    rows: Callable[[QuerySet[Site]], Iterator[list[str]]]


EXPORTS = {
    "applications": Export(
        "applications",
        "درخواست‌ها",
        (
            "نمایشگاه", "محل برگزاری", "شهرستان محل", "کد رهگیری", "نام", "نام خانوادگی", "نام کسب‌وکار",
            "شهرستان غرفه‌دار", "کد رسته", "گروه رسته", "وضعیت", "سطح اولویت", "تعداد روزهای درخواستی",
            "روزهای درخواستی", "روزهای تخصیص‌یافته", "تاریخ درخواست",
        ),
        lambda sites: application_rows(Application.objects.filter(site__in=sites)),
    ),
    "assignments": Export(
        "assignments",
        "تخصیص غرفه‌ها",
        (
            "تاریخ", "محل برگزاری", "شهرستان محل", "سالن", "غرفه", "کد رهگیری", "نام", "نام خانوادگی",
            "نام کسب‌وکار", "وضعیت پیشنهاد",
        ),
        lambda sites: assignment_rows(Assignment.objects.filter(booth__hall__site__in=sites)),
    ),
    "admissions": Export(
        "admissions",
        "ورود و خروج",
        (
            "تاریخ", "ساعت", "محل برگزاری", "شهرستان محل", "نتیجه", "دارنده کارت", "نام دارنده",
            "کد رهگیری", "نام کسب‌وکار", "درگاه",
        ),
        lambda sites: admission_rows(Admission.objects.filter(site__in=sites)),
    ),
}  # fmt: skip
