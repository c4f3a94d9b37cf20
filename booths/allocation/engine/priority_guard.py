"""The priority guard (engine step 7): no application is left out while it could take a booth by
displacing only applications of lower priority.

Priority first is a rule of the product, tested as an invariant. The steps before place the levels
from the highest and mostly keep it; the guard makes sure of it after all the searches: while a
waiting application could take a booth from lower-priority ones only (never from a pin), its category
group's quota counting what they give back, it does, and the displaced look for another free booth.
"""

from __future__ import annotations

from .state import State


def guard_priorities(s: State, levels: list[int], position: dict[str, int]) -> None:
    """Never leave an application out while it could take a booth from lower-priority ones only."""
    apps = s.apps
    lowest = min(levels, default=0)
    changed = True
    while changed:
        changed = False
        waiting = [a for a in range(len(apps)) if s.booth_of[a] < 0 and apps[a].priority > lowest]
        waiting.sort(key=lambda a: (-apps[a].priority, -len(apps[a].days), position[apps[a].id]))
        hopeless: set[tuple[int, int, int, str]] = set()
        for a in waiting:
            key = (apps[a].priority, s.app_needs[a], s.app_days[a], apps[a].category_group)
            if key in hopeless:
                continue
            b = s.find(a) if s.quota_ok(a) else -1
            if b < 0:
                b = _lower_only_booth(s, a)
            if b < 0:
                hopeless.add(key)
                continue
            displaced = [x for x in s.occupants[b] if s.app_days[x] & s.app_days[a]]
            for x in displaced:
                s.unplace(x)
            s.place(a, b)
            for x in sorted(displaced, key=lambda x: (-len(apps[x].days), position[apps[x].id])):
                target = s.find(x) if s.quota_ok(x) else -1
                if target >= 0:
                    s.place(x, target)
            changed = True
            hopeless.clear()


def _lower_only_booth(s: State, a: int) -> int:
    """The first booth where a fits once applications of lower priority (no pins) give way, its
    category group's quota counting the booth-days they free; -1 when there is none."""
    days, priority = s.app_days[a], s.apps[a].priority
    group = s.apps[a].category_group
    if group in s.limit:  # what lower priorities of its group could give back, at most a booth's days
        lower = sum(days for (g, p), days in s.group_days.items() if g == group and p < priority)
        if not s.quota_ok(a, min(lower, len(s.day_free))):
            return -1
    classes = set(s.compatible(s.app_needs[a], days))
    # Only booths holding a lower-priority application on a's days can change hands.
    booths = {
        s.booth_of[x]
        for (p, other), placed in s.by_days.items()
        if p < priority and other & days
        for x in placed
        if not s.pinned[x]
    }
    for b in sorted(b for b in booths if s.class_of[b] in classes):
        in_way = [x for x in s.occupants[b] if s.app_days[x] & days]
        if all(not s.pinned[x] and s.apps[x].priority < priority for x in in_way):
            if s.quota_ok(a, s.freed(a, in_way)):
                return b
    return -1
