"""The demo's gates: a key for each site open today, helpers named on their passes, and the scans of
the days already past, made through booths.gate.checkin, so the dashboard counts real admissions.

Most holders came in once, around opening time, some were scanned again, a few never came; nobody is
scanned before their booth was confirmed (their pass did not exist yet).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from booths.gate.checkin import check_in, create_gate_token
from booths.gate.passes import name_helper
from booths.models import Assignment, GateToken, Pass

from . import data
from .state import Demo


@dataclass(frozen=True)
class GateKey:
    site_slug: str
    name: str
    key: str


def open_gates(demo: Demo) -> tuple[list[GateKey], dict[int, GateToken]]:
    """A gate key for every site of data.py that names one; returns the keys and the tokens by site id."""
    keys, tokens = [], {}
    for spec in data.SITES:
        if spec.gate:
            site = demo.builds[spec.slug].site
            token, key = create_gate_token(site, spec.gate, created_by=demo.staff["province"])
            keys.append(GateKey(spec.slug, spec.gate, key))
            tokens[site.pk] = token
    return keys, tokens


def _live_passes(demo: Demo):
    sites = [build.site for build in demo.builds.values()]
    return Pass.objects.filter(site__in=sites, revoked_at__isnull=True).order_by("pk")


def name_helpers(demo: Demo) -> None:
    """Each vendor writes on their helpers' passes who carries them: a relative, by the family name."""
    names = data.FEMALE_NAMES + data.MALE_NAMES
    for helper in _live_passes(demo).filter(holder=Pass.Holder.HELPER).select_related("application__vendor"):
        name_helper(helper, f"{demo.rng.choice(names)} {helper.application.vendor.last_name}")


def scan_past_days(demo: Demo, tokens: dict[int, GateToken]) -> None:
    """Every live pass at its site's gate on each of its days before today."""
    rng = demo.rng
    opening = {demo.builds[s.slug].site.pk: datetime.time.fromisoformat(s.hours[0]) for s in data.SITES}
    past = Assignment.objects.filter(date__lt=demo.today).order_by("date")
    passes = _live_passes(demo).filter(site__in=list(tokens)).select_related("site")
    for pass_obj in passes.prefetch_related(Prefetch("application__assignments", queryset=past)):
        for assignment in pass_obj.application.assignments.all():
            if rng.random() < 0.12:
                continue  # did not come that day
            opens = datetime.datetime.combine(assignment.date, opening[pass_obj.site_id])
            first = timezone.make_aware(opens) + datetime.timedelta(minutes=rng.randrange(-60, 90))
            if demo.confirmed_at[pass_obj.application_id] >= first:
                continue
            gate, slug = tokens[pass_obj.site_id], pass_obj.site.slug
            check_in(gate, pass_obj.code, slug, now=first)
            if rng.random() < 0.05:
                check_in(
                    gate, pass_obj.code, slug, now=first + datetime.timedelta(minutes=rng.randrange(5, 90))
                )
