"""Class re-planning (engine step 6): classes of interchangeable booths re-planned as a whole, by
configurations, while some of the level waits.

Booths with the same features and the same days open (pins aside) are interchangeable, so a plan
says how many booths of each class hold each configuration: a set of pieces (needs, days) with
disjoint days, some the higher levels' applications, the rest this level's. configurations.best_plan
finds the plan that gives the level the most booth-days; here the classes are named, the plan is
laid out on the booths and kept only when the level gains, no higher level loses and the quotas hold.
A level's last booth-days depend on which applications share a booth, which moves of one or two
booths (the hole filling, rehoming) do not reach.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from . import configurations
from .hole_filling import refill
from .limits import Budget, Limits
from .state import State
from .tiling import Pools, level_pools, take
from .types import misses


def replan(s: State, level: int, members: list[int], limits: Limits) -> None:
    """Classes of interchangeable booths (same features, same days open beside pins) re-planned by
    configurations: which higher-level applications share a booth, and which of this level's fill
    it. Up to Limits.replan_together booths, all classes in one model, so a higher application may
    change class, or give way to a waiting one of its level (spare) when that level keeps its
    booth-days; above, class by class (one model for all is too slow there) and every higher
    application stays. A plan is laid out (booths holding one of its configurations keep it; the
    others take the rest, the one closest to what they held first) and stands only when this level
    gains booth-days, no higher level loses any and the quotas hold."""
    by_class: dict[tuple[int, int], list[int]] = defaultdict(list)
    for b in range(len(s.booths)):
        pins = 0
        for x in s.occupants[b]:
            if s.pinned[x]:
                pins |= s.app_days[x]
        open_days = s.avail[b] & ~pins
        if 0 < open_days.bit_count() <= limits.replan_days:
            by_class[(s.feat[b], open_days)].append(b)
    keys = sorted(by_class, key=lambda key: (-len(by_class[key]), key))
    together = len(s.booths) <= limits.replan_together
    if together:
        batches = [keys]
    else:  # one booth alone is already tiled exactly by the hole filling
        batches = [[key] for key in keys if len(by_class[key]) > 1]
    pools, by_days = level_pools(s, members)
    s.pools, s.level, s.pool_needs = pools, level, by_days
    batch_plan = _BatchPlan(s, level, by_class, together, pools, by_days, limits)
    try:
        for batch in batches:
            if batch_plan.work.left <= 0:
                break
            batch_plan.replan(batch)
    finally:
        s.pools = None
    s.log.clear()


class _BatchPlan:
    """Re-planning one batch of classes (all of them together, or one class) with the level's pools
    open: the model's input from the booths, the plan, and laying it out when it gains."""

    def __init__(
        self,
        s: State,
        level: int,
        by_class: dict[tuple[int, int], list[int]],
        together: bool,
        pools: Pools,
        by_days: dict[int, list[tuple[int, str]]],
        limits: Limits,
    ) -> None:
        self.s, self.level, self.by_class, self.together = s, level, by_class, together
        self.pools, self.by_days, self.limits = pools, by_days, limits
        self.work = Budget(limits.replan_steps)  # pricing steps, for all the batches of the level

    def replan(self, batch: list[tuple[int, int]]) -> None:
        s, level, by_class, together, pools = self.s, self.level, self.by_class, self.together, self.pools
        booths = [b for key in batch for b in by_class[key]]
        if not any(s.avail[b] & ~s.occ[b] for b in booths):
            return
        newcomers: Counter[configurations.Piece] = Counter()  # waiting ones that fit here and their quota
        for (needs, days, _group), pool in pools.items():
            if pool and s.quota_ok(pool[0]) and any(not needs & ~f and not days & ~o for f, o in batch):
                newcomers[(needs if together else 0, days)] += len(pool)
        if not newcomers:
            return  # the level gains only by placing one more
        classes, higher, supply = [], Counter(), newcomers
        waiting = []  # higher ones that may take the place of one of their level (in one model)
        if together:
            waiting = [
                a
                for a in sorted(range(len(s.apps)), key=lambda a: s.position[a])
                if s.booth_of[a] < 0
                and s.apps[a].priority > level
                and s.quota_ok(a)
                and any(not s.app_needs[a] & ~f and not s.app_days[a] & ~o for f, o in batch)
            ]
        pieces = Pieces(together, frozenset(s.apps[a].priority for a in waiting))
        spare: dict[configurations.Higher, list[int]] = defaultdict(list)  # lottery order
        for a in waiting:
            spare[pieces.higher(s, a)].append(a)
            higher[pieces.higher(s, a)] += 1
        for f, open_days in batch:
            now: Counter[configurations.Config] = Counter(
                _config(s, b, level, pieces) for b in by_class[(f, open_days)]
            )
            classes.append(configurations.BoothClass(f, open_days, len(by_class[(f, open_days)]), now))
            for (hs, ls), n in now.items():
                for piece in hs:
                    higher[piece] += n
                for piece in ls:
                    supply[piece] += n
        plans = configurations.best_plan(classes, higher, supply, self.work, self.limits)
        if plans is None:
            return
        before = Counter(s.level_days)
        mark = len(s.log)
        lay_out(s, level, [by_class[key] for key in batch], plans, self.by_days, pieces, spare)
        quotas = all(s.within_quota(s.apps[a].category_group) for a, _b in s.log[mark:])
        kept = all(s.level_days[x] >= days for x, days in before.items() if x > level)
        if s.level_days[level] <= before[level] or not quotas or not kept:
            s.undo(mark)


@dataclass(frozen=True)
class Pieces:
    """How re-planning names an application: its piece (needs, days), or (0, days) when not typed
    (within one class needs do not matter, and fewer kinds make a smaller model). A higher
    application's piece carries its level when that level has applications waiting to take its
    place (open); the other higher levels' pieces are alike, -1, and each of them stays."""

    typed: bool
    open: frozenset[int]

    def mine(self, s: State, x: int) -> configurations.Piece:
        return (s.app_needs[x] if self.typed else 0, s.app_days[x])

    def higher(self, s: State, x: int) -> configurations.Higher:
        level = s.apps[x].priority
        return (*self.mine(s, x), level if level in self.open else -1)


def _config(s: State, b: int, level: int, pieces: Pieces) -> configurations.Config:
    """What booth b holds beside pins: (higher levels' pieces, this level's)."""
    higher, mine = [], []
    for x in s.occupants[b]:
        if not s.pinned[x]:
            if s.apps[x].priority > level:
                higher.append(pieces.higher(s, x))
            else:
                mine.append(pieces.mine(s, x))
    return tuple(sorted(higher)), tuple(sorted(mine))


def lay_out(s: State, level: int, classes: list[list[int]], plans, by_days, pieces: Pieces, spare) -> None:
    """Put each class's plan on its booths (the level's pools open in s.pools): a booth that holds
    one of its configurations keeps it; the others are emptied (pins stay) and each takes the
    remaining configuration sharing most pieces with what it held: the higher applications first
    (they already count in their quotas), its own before displaced ones (fewest preferences missed
    there, then the lottery), else a waiting one of its level from spare (lottery order); then
    this level's, its own first, else a waiting one (take) with the needs the plan counted on
    when typed. Days still free on those booths are filled last as in the hole filling (refill):
    the plan is the best over the configurations found, not all."""
    redo: list[tuple[int, Counter]] = []
    for booths, plan in zip(classes, plans, strict=True):
        left = Counter(plan)
        for b in booths:
            config = _config(s, b, level, pieces)
            if left[config] > 0:
                left[config] -= 1
            else:
                redo.append((b, left))
    held = {b: list(s.occupants[b]) for b, _left in redo}
    displaced: dict[configurations.Higher, list[int]] = defaultdict(list)  # higher ones off their booth
    for b, _left in redo:
        for x in held[b]:
            if not s.pinned[x]:
                s.unplace(x)
                if s.apps[x].priority > level:
                    displaced[pieces.higher(s, x)].append(x)
    given: dict[int, tuple[configurations.Piece, ...]] = {}  # booth -> the level's pieces it is to take
    for b, left in redo:
        had = Counter(pieces.mine(s, x) for x in held[b])
        config = max(
            (c for c in left if left[c] > 0),
            key=lambda c: (sum(1 for piece in c[0] + c[1] if had[piece[:2]]), c),
        )
        left[config] -= 1
        higher, given[b] = config
        for piece in higher:
            if displaced[piece]:
                x = min(
                    displaced[piece],
                    key=lambda x: (x not in held[b], misses(s.apps[x], *s.zt[b]), s.position[x]),
                )
                displaced[piece].remove(x)
            else:  # one waiting takes the place of one the plan left out (its level keeps its days)
                x = next((x for x in spare.get(piece, ()) if s.booth_of[x] < 0 and s.quota_ok(x)), -1)
                if x < 0:
                    continue
            s.place(x, b)
    for b, _left in redo:
        for needs, days in given[b]:
            own = (x for x in held[b] if s.booth_of[x] < 0 and pieces.mine(s, x) == (needs, days))
            a = next((x for x in own if s.apps[x].priority == level and s.quota_ok(x)), -1)
            if a < 0 and pieces.typed:
                a = take(s, s.pools, by_days, needs, days)
            if a < 0:
                a = take(s, s.pools, by_days, s.feat[b], days)
            if a >= 0:
                s.place(a, b)
    for b, _left in redo:
        refill(s, b, Budget(0))  # a refill counts its steps but never stops for them
