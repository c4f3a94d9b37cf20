"""Explanations (engine step 9): every placed application gets the code and figures for why that
booth, every unplaced one the code and figures for its refusal.

The codes are stable (booths.allocation.instance turns them into sentences in both languages); the
facts are the figures a sentence quotes: the lottery rank among applicants of the same priority,
the booths that had the needs or were open on the days, the quota's limit and use.
"""

from __future__ import annotations

from collections import defaultdict

from .state import State
from .types import ApplicationIn, Instance, Placement, Refusal


def explain(s: State, instance: Instance, rank: dict[int, int]) -> tuple[list[Placement], list[Refusal]]:
    """The placements and refusals, each sorted by application id."""
    apps = instance.applications
    # Figures for reasons: suitable booths on the days, and applicants of the same priority.
    applicants = defaultdict(int)
    for app in apps:
        applicants[app.priority] += 1
    suitable = _Suitable(s)
    assignments, unassigned = [], []
    for a, app in enumerate(apps):
        facts = {"priority": app.priority, "rank": rank[a], "applicants": applicants[app.priority]}
        b = s.booth_of[a]
        if b >= 0:
            booth = s.booths[b]
            code = _placement_code(s, a, app, b)
            facts |= {"needs": sorted(app.needs), "zone": booth.zone, "type": booth.type}
            assignments.append(Placement(app.id, booth.id, tuple(sorted(app.days)), code, facts))
        else:
            unassigned.append(_refusal(s, instance, a, app, facts, suitable))
    assignments.sort(key=lambda p: p.application)
    unassigned.sort(key=lambda r: r.application)
    return assignments, unassigned


def _placement_code(s: State, a: int, app: ApplicationIn, b: int) -> str:
    booth = s.booths[b]
    if app.pinned is not None:
        return "pinned"
    if (app.prefer_zones and booth.zone in app.prefer_zones) or (
        app.prefer_types and booth.type in app.prefer_types
    ):
        return "preferred"
    if app.group is not None and s.neighbourhood(a, b)[1] < 0:
        return "group"
    if app.needs:
        return "needs"
    return "free"


def _refusal(s: State, instance: Instance, a: int, app: ApplicationIn, facts: dict, suitable) -> Refusal:
    with_needs, on_days = suitable(a)
    facts |= {"needs": sorted(app.needs), "booths": on_days}
    if with_needs == 0:
        code = "no_booth_with_needs"
    elif on_days == 0:
        code = "no_booth_on_days"
        facts["booths"] = with_needs
    elif not s.quota_ok(a):
        code = "quota_full"
        group = app.category_group
        facts |= {
            "group": group,
            "percent": dict(instance.quotas)[group],
            "limit": s.limit[group],
            "used": s.used[group],
            "days": s.size[a],
        }
    else:
        code = "booths_full_on_days"
    return Refusal(app.id, code, facts)


class _Suitable:
    """(booths with the needs at all, booths with the needs open on all a's days), per (needs, days)."""

    def __init__(self, s: State) -> None:
        self.s = s
        self.cache: dict[tuple[int, int], tuple[int, int]] = {}
        self.class_size = [0] * len(s.class_feat)
        for c in s.class_of:
            self.class_size[c] += 1

    def __call__(self, a: int) -> tuple[int, int]:
        s = self.s
        key = (s.app_needs[a], s.app_days[a])
        if key not in self.cache:
            needs, days = key
            with_needs = on_days = 0
            for c, size in enumerate(self.class_size):
                if needs & ~s.class_feat[c] == 0:
                    with_needs += size
                    on_days += size if days & ~s.class_avail[c] == 0 else 0
            self.cache[key] = (with_needs, on_days)
        return self.cache[key]
