"""`load_demo`: builds (or rebuilds) the demo around a day and says who can sign in.

The steps follow the product's own order, each through the service that does it for real: the
registry, the sites, the applications and their review, each site's lottery and its offers, the
passes the confirmations issue, the gate's scans. What the services would text the demo's made-up
vendors goes nowhere, and nothing is queued for the task worker.
"""

from __future__ import annotations

import datetime
import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from booths.models import Application, Assignment, Booth, Offer, Pass
from events.models import Exhibition, Site
from vendors.models import Category, CategoryGroup, County, Province, User, Vendor

from . import applications, data, gate, lottery, registry, sites
from .state import Demo, Timeline


@dataclass(frozen=True)
class SignIn:
    role: str
    username: str
    password: str
    can: str


@dataclass(frozen=True)
class DemoSignIns:
    """What load_demo made: the sign-ins to print, the gate keys (new on every load) and counts."""

    users: tuple[SignIn, ...]
    gate_keys: tuple[gate.GateKey, ...]
    other_vendor_accounts: int
    counts: dict[str, int]


class Unsent:
    """The SMS backend while the demo loads: its vendors are made up, so their texts go nowhere."""

    def send(self, mobile: str, text: str) -> None:
        pass


@contextmanager
def _quiet() -> Iterator[None]:
    """No texts (nor their log lines) and no queued tasks while the demo loads and commits."""
    log = logging.getLogger("vendors.sms")
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        with override_settings(
            SMS_BACKEND=f"{__name__}.Unsent",
            TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}},
        ):
            yield
    finally:
        log.setLevel(level)


def load_demo(today: datetime.date | None = None, stdout: TextIO | None = None) -> DemoSignIns:
    """Build (or rebuild) the demo around `today`: the same data on every load, only the codes of passes,
    lottery tickets and gate keys differ."""
    today = today or timezone.localdate()
    password_hash = make_password(data.PASSWORD)  # once: a PBKDF2 hash costs about a second
    # The notices are sent when the transaction commits, so the quiet holds until after it.
    with _quiet(), transaction.atomic():
        _delete_previous_demo()
        demo = Demo(random.Random(data.SEED), today, Timeline())
        others, keys = _build(demo, password_hash)
        demo.timeline.write()
    result = DemoSignIns(_sign_ins(demo), tuple(keys), len(others), _counts())
    if stdout is not None:
        stdout.write(
            "Demo loaded for {day}: {vendors} vendors, {sites} sites, {booths} booths, {applications} "
            "applications, {offers} offers, {assignments} booth-days, {passes} passes.\n".format(
                day=today.isoformat(), **result.counts
            )
        )
    return result


def _build(demo: Demo, password_hash: str) -> tuple[list[User], list[gate.GateKey]]:
    """Every step of the story, in the product's order; returns the other vendor accounts and the gate keys."""
    province = Province.objects.get(slug="lorestan")
    counties = {c.slug: c for c in County.objects.filter(province=province)}
    categories = list(Category.objects.select_related("group").order_by("code"))
    groups = {g.slug: g for g in CategoryGroup.objects.all()}

    registry.support_companies(demo, counties)
    registry.vendors(demo, counties, categories)
    registry.staff(demo, password_hash, province, counties)
    sites.exhibitions(demo, province, counties, groups)
    plans = applications.plan(demo)
    applicants = {v.pk for planned in plans.values() for p in planned for v in p.vendors}
    accounts = registry.vendor_accounts(demo, password_hash, applicants)
    for spec in data.SITES:
        build = demo.builds[spec.slug]
        applications.submit(demo, build, plans.get(spec.slug, []))
        if spec.review:
            applications.review(demo, build, spec.review)
        if spec.lottery:
            lottery.run(demo, build, spec.lottery)
        if spec.withdrawals:
            applications.change_minds(demo, build, spec.withdrawals)
    keys, tokens = gate.open_gates(demo)
    gate.name_helpers(demo)
    gate.scan_past_days(demo, tokens)
    return accounts[1:], keys


def _delete_previous_demo() -> None:
    """Remove what an earlier load built: the demo exhibitions, with everything that hangs off them."""
    sites = Site.objects.filter(exhibition__slug__in=data.DEMO_EXHIBITION_SLUGS)
    # Offers protect their booth, so they go first; the rest cascades from the exhibitions.
    Offer.objects.filter(booth__hall__site__in=sites).delete()
    Offer.objects.filter(application__site__in=sites).delete()
    Exhibition.objects.filter(slug__in=data.DEMO_EXHIBITION_SLUGS).delete()
    _reuse_application_ids()


def _reuse_application_ids() -> None:
    """Let the next application take the id after the highest one left, as on the first load.

    The lottery shuffles the applications' ids, sorted as text, with the seed: with other ids the same
    seed would draw another order, and a reload would place other vendors.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            table = Application._meta.db_table
            cursor.execute(
                f"UPDATE sqlite_sequence SET seq = (SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}) "
                "WHERE name = %s",
                [table],
            )
        else:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Application]):
                cursor.execute(sql)


def demo_tracking_codes() -> list[str]:
    return [str(data.TRACKING_BASE + i) for i in range(data.VENDOR_COUNT)]


def _counts() -> dict[str, int]:
    sites = Site.objects.filter(exhibition__slug__in=data.DEMO_EXHIBITION_SLUGS)
    return {
        "vendors": Vendor.objects.filter(tracking_code__in=demo_tracking_codes()).count(),
        "sites": sites.count(),
        "booths": Booth.objects.filter(hall__site__in=sites).count(),
        "applications": Application.objects.filter(site__in=sites).count(),
        "offers": Offer.objects.filter(application__site__in=sites).count(),
        "assignments": Assignment.objects.filter(application__site__in=sites).count(),
        "passes": Pass.objects.filter(site__in=sites).count(),
    }


def _sign_ins(demo: Demo) -> tuple[SignIn, ...]:
    vendor, company = demo.vendors[0], demo.companies[0]
    story = data.SIGN_IN_VENDOR
    booth = (
        Assignment.objects.filter(application__vendor=vendor, application__site__slug=story.site)
        .select_related("booth")
        .first()
        .booth
    )
    members = len(registry.members(demo, company))
    return (
        SignIn("admin", "admin", data.PASSWORD, "Django admin at /admin/: everything"),
        SignIn(
            "provincial organiser",
            "province",
            data.PASSWORD,
            "کارشناس اداره کل: every Lorestan site — review, allocate, passes, dashboard",
        ),
        SignIn(
            "county organiser",
            "khorramabad",
            data.PASSWORD,
            "کارشناس شهرستان خرم‌آباد: only the Khorramabad sites",
        ),
        SignIn(
            "vendor",
            vendor.user.username,
            data.PASSWORD,
            f"{vendor.full_name} «{vendor.business_name}»: confirmed booth {booth.code} at Khorramabad today "
            "with a pass; also applied to Kuhdasht",
        ),
        SignIn(
            "support company manager",
            demo.manager.username,
            data.PASSWORD,
            f"«{company.name}»: applies for its {members} member home workers",
        ),
    )
