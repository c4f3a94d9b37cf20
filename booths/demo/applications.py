"""The demo's applications: who answers each call and for which days, made through
booths.applications.applying, then reviewed through booths.applications.review.

Only vendors the product lets apply are chosen (a permit valid to the site's last day, an admitted
county and category group), so every application is one a vendor could have made on the site.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import prefetch_related_objects

from booths.applications.applying import ApplicationData, apply, withdraw
from booths.applications.review import change_status
from booths.models import Application, Booth
from events.models import Site
from vendors.models import SupportCompany, Vendor

from . import data
from .state import Demo, SiteBuild

S = Application.Status
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Planned:
    """One application (or a company's group of them) to make, and when it was made."""

    vendors: tuple[Vendor, ...]
    wishes: ApplicationData
    at: datetime.datetime
    company: SupportCompany | None = None


def _pick(
    rng: random.Random, vendors: list[Vendor], k: int, weight: Callable[[Vendor], float]
) -> list[Vendor]:
    """A weighted sample without replacement (Efraimidis–Spirakis), in a reproducible order."""
    keyed = [(rng.random() ** (1.0 / weight(v)), v.tracking_code, v) for v in vendors]
    keyed.sort(key=lambda item: (-item[0], item[1]))
    return [v for _, _, v in keyed[:k]]


def _weight(call: data.Call) -> Callable[[Vendor], float]:
    return lambda vendor: call.local_weight if vendor.county.slug in call.local else 1


def _may_apply(vendor: Vendor, site: Site, spec: data.SiteSpec) -> bool:
    """What booths.applications.applying checks of a vendor (the demo draws from those who pass)."""
    return (
        vendor.permit_expires >= site.end_date
        and (not spec.eligible_counties or vendor.county.slug in spec.eligible_counties)
        and (not spec.eligible_groups or vendor.category.group.slug in spec.eligible_groups)
        and (not spec.call.women_only or vendor.gender == Vendor.Gender.FEMALE)
    )


def _days(rng: random.Random, call: data.Call, open_days: list[str], n: int, today: str) -> list[str]:
    """The days the n-th applicant asks for, as the call's kind of days says."""
    if call.days == "shifts":
        half = len(open_days) // 2
        return open_days[:half] if n % 2 == 0 else open_days[half:]
    if call.days == "upcoming":
        upcoming = [d for d in open_days if d >= today]
        return upcoming[: rng.randint(2, len(upcoming))]
    days = open_days[: call.first_days]
    if len(days) <= 2 or rng.random() < call.full:
        return list(days)
    length = rng.randint(2, len(days) - 1)
    start = rng.randint(0, len(days) - length)
    return days[start : start + length]


def _wishes(
    rng: random.Random, build: SiteBuild, vendor: Vendor, days: list[str], rate: float
) -> ApplicationData:
    food = vendor.category.group.slug in (data.FOOD_GROUP, "livestock-products")
    return ApplicationData(
        days=days,
        needs_power=rng.random() < rate,
        needs_water=food and rng.random() < rate,
        needs_accessible=vendor.disability,
        needs_table=rng.random() < 0.5,
        preferred_zones=rng.sample(build.zones, 1) if rng.random() < 0.4 else [],
        preferred_types=[Booth.Type.CORNER] if rng.random() < 0.2 else [],
        helpers=rng.choice((0, 0, 1, 1, 2)),
        products=_products(vendor),
    )


def _products(vendor: Vendor) -> str:
    return data.PRODUCTS.get(vendor.category.code, f"انواع محصولات {vendor.category.title_fa}")


def _submitted(demo: Demo, site: Site) -> datetime.datetime:
    """A moment in the call's window, before the demo's day."""
    first, last = site.applications_open, min(site.applications_close, demo.on(0))
    return first + (last - first) * demo.rng.uniform(0.05, 0.9)


def plan(demo: Demo) -> dict[str, list[Planned]]:
    """Every site's applications, in the order they were made."""
    rng, company = demo.rng, demo.companies[0]
    sign_in = demo.vendors[0]
    plans = {}
    for spec in data.SITES:
        call, build = spec.call, demo.builds[spec.slug]
        if call is None:
            continue
        site, open_days = build.site, build.open_days
        # The first company's members do not apply on their own: the company applies for them.
        pool = [
            v for v in demo.vendors[1:] if v.support_company_id != company.pk and _may_apply(v, site, spec)
        ]
        chosen = _pick(rng, pool, call.applicants, _weight(call))
        today = demo.today.isoformat()
        planned = [
            Planned(
                (v,),
                _wishes(rng, build, v, _days(rng, call, open_days, n, today), call.needs_rate),
                _submitted(demo, site),
            )
            for n, v in enumerate(chosen)
        ]
        if call.company_members:
            group = tuple(v for v in demo.vendors if v.support_company_id == company.pk)[
                : call.company_members
            ]
            wishes = ApplicationData(
                days=list(open_days), needs_table=True, helpers=1, products=_products(group[0])
            )
            planned.append(Planned(group, wishes, _submitted(demo, site), company))
        if spec.slug in (data.SIGN_IN_VENDOR.site, data.SIGN_IN_VENDOR.also):
            wishes = ApplicationData(
                days=list(open_days), needs_table=True, helpers=1, products=_products(sign_in)
            )
            planned.append(Planned((sign_in,), wishes, _submitted(demo, site)))
        plans[spec.slug] = sorted(planned, key=lambda p: p.at)
    return plans


def submit(demo: Demo, build: SiteBuild, planned: list[Planned]) -> None:
    """Make the site's applications as their vendors (or the company's manager) did; a vendor without
    an account applies with none (the registry has more vendors than the demo has accounts)."""
    prefetch_related_objects([build.site], "eligible_groups", "eligible_counties")  # read for each vendor
    for p in planned:
        by = demo.manager if p.company else p.vendors[0].user
        with demo.at(p.at) as now:
            made = apply(list(p.vendors), build.site, p.wishes, by, company=p.company, now=now)
        build.applications += made
        build.submitted |= dict.fromkeys((a.pk for a in made), p.at)


def _decide(demo: Demo, build: SiteBuild, rules: data.Review) -> tuple[list, list, list]:
    """Who is rejected (and why), who withdraws before the review, and who is still waiting for it."""
    rng = demo.rng
    rejected, withdrawn = [], []
    for application in build.applications:
        if application.company_id is not None or application.vendor_id == demo.vendors[0].pk:
            continue  # the company's group and the sign-in vendor are accepted
        if application.vendor.category.starred and rng.random() < 0.04 and len(rejected) < rules.max_rejected:
            rejected.append((application, data.REJECTIONS[0]))
        elif rng.random() < 0.015 and len(rejected) < rules.max_rejected:
            rejected.append((application, data.REJECTIONS[1]))
        elif rng.random() < 0.03:
            withdrawn.append(application)
    decided = {a.pk for a, _ in rejected} | {a.pk for a in withdrawn}
    waiting = [
        a
        for a in build.applications
        if a.pk not in decided and a.company_id is None and a.vendor_id != demo.vendors[0].pk
    ]
    return rejected, withdrawn, waiting[len(waiting) - rules.unreviewed :] if rules.unreviewed else []


def review(demo: Demo, build: SiteBuild, rules: data.Review) -> None:
    """The organiser's review the day after the call closes: a few withdrawn before it, a few
    rejected, the last few still waiting; the rest accepted in one go, as the review page's "select
    all" does (when `by_capacity`, only while the booths last: the others are waitlisted)."""
    rng, organiser = demo.rng, build.organiser
    reviewed_at = build.site.applications_close + rules.after_close * DAY
    rejected, withdrawn, late = _decide(demo, build, rules)
    for application in withdrawn:
        at = min(build.submitted[application.pk] + DAY, reviewed_at - datetime.timedelta(hours=1))
        with demo.at(at) as now:
            withdraw(application, application.applied_by, now=now)
    waitlisted = []
    left = {a.pk for a, _ in rejected} | {a.pk for a in withdrawn} | {a.pk for a in late}
    accepting = [a for a in build.applications if a.pk not in left]
    if rules.by_capacity:
        accepting, waitlisted = _within_capacity(build, accepting)
    # The refusals one by one over the working day, each with its reason; then the rest together.
    for n, (application, reason) in enumerate(rejected + waitlisted):
        with demo.at(reviewed_at + datetime.timedelta(minutes=rng.randint(0, 240))) as now:
            status = S.REJECTED if n < len(rejected) else S.WAITLISTED
            change_status([application], status, reason, organiser, now=now)
    with demo.at(reviewed_at + datetime.timedelta(hours=4, minutes=30)) as now:
        change_status(accepting, S.ACCEPTED, "", organiser, now=now)


def _within_capacity(build: SiteBuild, applications: list[Application]) -> tuple[list, list]:
    """Those with a free booth left on every day they ask for, by priority then arrival; and the
    others, each with the organiser's reason and place on the waiting list."""
    booths = Booth.objects.filter(hall__site=build.site, blocked=False).count()
    taken: Counter[str] = Counter()
    accepted, waitlisted = [], []
    for application in sorted(applications, key=lambda a: (-a.priority, build.submitted[a.pk], a.pk)):
        if all(taken[d] < booths for d in application.days):
            taken.update(application.days)
            accepted.append(application)
        else:
            waitlisted.append((application, data.FULL.format(position=len(waitlisted) + 1)))
    return accepted, waitlisted


def change_minds(demo: Demo, build: SiteBuild, count: int) -> None:
    """The first applicants of an open call withdraw again (never the sign-in vendor)."""
    others = [a for a in build.applications if a.vendor_id != demo.vendors[0].pk][:count]
    for application in others:
        submitted = build.submitted[application.pk]
        with demo.at(submitted + (demo.on(0) - submitted) / 2) as now:
            withdraw(application, application.applied_by, now=now)
