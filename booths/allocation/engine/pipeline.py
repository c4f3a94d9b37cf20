"""allocate(): the engine's steps, top to bottom, in the order the package docstring describes them."""

from __future__ import annotations

import random
import time
from collections import defaultdict

from .exact import take_exact_optimum
from .explanations import explain
from .first_placement import place_in_order, repair
from .hole_filling import fill_holes
from .limits import Budget, Limits
from .plateau import wander
from .priority_guard import guard_priorities
from .rehoming import rehome
from .replanning import replan
from .state import State
from .types import Instance, Result

_DEFAULTS = Limits()


def lottery(application_ids: list[str], seed: int) -> list[str]:
    """The published lottery: ids sorted, then shuffled by random.Random(seed)."""
    order = sorted(application_ids)
    random.Random(seed).shuffle(order)
    return order


def allocate(instance: Instance, limits: Limits = _DEFAULTS) -> Result:
    """Assign booths to applications per ALLOCATION_INSTANCE.md. Deterministic for a given instance
    (and limits)."""
    started = time.perf_counter()
    s = State(instance, limits.walk)
    position, rank = _draw(s, instance)
    for a, app in enumerate(instance.applications):
        if app.pinned is not None:
            s.place(a, s.index[app.pinned])
    levels = sorted({a.priority for a in instance.applications}, reverse=True)
    holes = Budget(limits.hole_steps)  # steps of hole filling, for all levels together
    for level in levels:
        _place_level(s, level, level == levels[-1], position, holes, limits)
    guard_priorities(s, levels, position)
    take_exact_optimum(s, levels, limits)
    assignments, unassigned = explain(s, instance, rank)
    per_level = _per_level(s, levels)
    apps = instance.applications
    return Result(
        assignments=assignments,
        unassigned=unassigned,
        seed=instance.seed,
        booth_days=sum(len(apps[a].days) for a in range(len(apps)) if s.booth_of[a] >= 0),
        seconds=time.perf_counter() - started,
        levels=per_level,
    )


def _draw(s: State, instance: Instance) -> tuple[dict[str, int], dict[int, int]]:
    """The lottery: each application's position in it (also set on the state), and its rank among
    the applications of its own priority (1-based)."""
    apps = instance.applications
    order = lottery([a.id for a in apps], instance.seed)
    position = {app_id: n for n, app_id in enumerate(order)}
    by_id = {a.id: i for i, a in enumerate(apps)}
    rank: dict[int, int] = {}
    seen: dict[int, int] = defaultdict(int)
    for app_id in order:
        a = by_id[app_id]
        seen[apps[a].priority] += 1
        rank[a] = seen[apps[a].priority]
    for a, app in enumerate(apps):
        s.position[a] = position[app.id]
    return position, rank


def _place_level(
    s: State, level: int, lowest: bool, position: dict[str, int], holes: Budget, limits: Limits
) -> None:
    """One priority level: first placement and repair, hole filling, then, while some of it waits,
    rehoming, the plateau search and class re-planning."""
    apps = s.apps
    members = [a for a, app in enumerate(apps) if app.priority == level and not s.pinned[a]]
    members.sort(key=lambda a: (-len(apps[a].days), position[apps[a].id]))
    place_in_order(s, members)
    repair(s, members, limits)
    fill_holes(s, level, members, holes, limits)
    if lowest:  # the lowest level: its booth-days hang on the higher ones' layout
        rehome(s, level, members, Budget(limits.rehome_steps), limits)
    elif _waits(s, members):
        rehome(s, level, members, Budget(limits.rehome_steps // 5), limits)
    if _waits(s, members):
        tries = min(limits.wander_tries, limits.wander_tries_per_booth * len(s.booths))
        wander(s, level, members, tries, limits)
    if _waits(s, members):
        replan(s, level, members, limits)


def _waits(s: State, members: list[int]) -> bool:
    """Whether some of these applications is unplaced and its category group's quota has room for
    it (the ones that do not cannot gain a level anything, so the searches for them are skipped)."""
    return any(s.booth_of[a] < 0 and s.quota_ok(a) for a in members)


def _per_level(s: State, levels: list[int]) -> dict[int, dict[str, int]]:
    apps = s.apps
    per_level = {}
    for level in levels:
        mine = [a for a, app in enumerate(apps) if app.priority == level]
        per_level[level] = {
            "placed": sum(1 for a in mine if s.booth_of[a] >= 0),
            "unplaced": sum(1 for a in mine if s.booth_of[a] < 0),
            "booth_days": sum(len(apps[a].days) for a in mine if s.booth_of[a] >= 0),
            "asked_booth_days": sum(len(apps[a].days) for a in mine),
        }
    return per_level
