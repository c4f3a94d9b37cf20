"""The plateau search (engine step 5, last): swaps that keep a level's booth-days, to reach layouts from
which a gain is one move away.

A higher-level application h on booth X moves to booth Y, and Y's higher-level applications in its
way move to X; both booths are tiled again from this level (LevelTiling). The move stands when the
level gains booth-days, or keeps them and the moved applications miss none of their preferences more
than before: the search walks across equal layouts to reach better ones that no single gaining move
does (and on the way puts higher-level applications in their preferred zones). X is mostly a booth
with free days; h and Y are drawn by a random.Random seeded with the instance's seed; the tries and
the tiling steps are counted (Limits.wander_*), not timed, so the same input gives the same result.
If the level gained nothing, all is undone.
"""

from __future__ import annotations

import random
from collections import defaultdict

from .limits import Budget, Limits
from .state import State
from .tiling import LevelTiling, level_pools
from .types import misses


def wander(s: State, level: int, members: list[int], tries: int, limits: Limits) -> None:
    """At most tries swaps for a level with applications waiting, after rehoming ran out of gains."""
    pools, by_days = level_pools(s, members)
    if not pools:
        return
    s.pools, s.level = pools, level
    try:
        if tries:
            PlateauSearch(LevelTiling(s, level, pools, by_days, Budget(0)), limits).run(tries)
    finally:
        s.pools = None
    s.log.clear()


class PlateauSearch:
    """The seeded draws, the booths by class, and the swaps tried."""

    def __init__(self, tiling: LevelTiling, limits: Limits) -> None:
        self.t, self.s, self.level, self.limits = tiling, tiling.s, tiling.level, limits
        s = self.s
        self.rng = random.Random(s.seed)
        self.by_class: dict[int, list[int]] = defaultdict(list)
        for b in range(len(s.booths)):
            self.by_class[s.class_of[b]].append(b)
        self.homes: dict[tuple[int, int], list[int]] = {}  # (needs, days) -> booths that could hold them

    def run(self, tries: int) -> None:
        s, level, rng, t = self.s, self.level, self.rng, self.t
        budget = t.budget
        floor = budget.left - self.limits.wander_steps
        start = best = s.level_days[level]
        last_gain = 0
        mark0 = len(s.log)
        holes: list[int] = []
        for n in range(tries):
            if s.level_days[level] > best:
                best, last_gain = s.level_days[level], n
            elif n - last_gain > min(self.limits.wander_stall, tries // 2) or budget.left < floor:
                break
            if n % 64 == 0:
                holes = [b for b in range(len(s.booths)) if s.avail[b] & ~s.occ[b]]
                if not holes:
                    break
            X = holes[rng.randrange(len(holes))] if rng.random() < 0.7 else rng.randrange(len(s.booths))
            self.swap(X)
        if s.level_days[level] <= start:
            masks = {s.app_days[a] for a, _ in s.log[mark0:]}
            s.undo(mark0)
            t.refresh(masks)

    def swap(self, X: int) -> None:
        """One try from booth X: a drawn higher-level application h there swaps with what is in its
        way on a drawn booth Y, kept when the level keeps its booth-days and preferences hold."""
        s, level, rng, t = self.s, self.level, self.rng, self.t
        hard_mask, soft, fill, refresh, tile_extra = t.hard_mask, t.soft, t.fill, t.refresh, t.tile_extra
        his = [x for x in s.occupants[X] if not s.pinned[x] and s.apps[x].priority > level]
        if not his:
            return
        h = his[rng.randrange(len(his))]
        dh, nh = s.app_days[h], s.app_needs[h]
        cands = self.homes.get((nh, dh))
        if cands is None:
            cands = self.homes[(nh, dh)] = [b for c in s.compatible(nh, dh) for b in self.by_class[c]]
        found = self.host(h, X, cands)
        if found is None:
            return
        Y, way, union = found
        ownX = [s.app_days[y] for y in soft(X)]
        ownY = [s.app_days[y] for y in soft(Y)]
        now = sum(m.bit_count() for m in ownX) + sum(m.bit_count() for m in ownY)
        freeX = s.avail[X] & ~((hard_mask(X) & ~dh) | union)
        freeY = s.avail[Y] & ~((hard_mask(Y) & ~union) | dh)
        if tile_extra(s.feat[X], freeX, ownX) + tile_extra(s.feat[Y], freeY, ownY) < now:
            return  # the tiling cannot keep this level's booth-days: not worth trying
        before = s.level_days[level]
        missed = misses(s.apps[h], *s.zt[X]) + sum(misses(s.apps[g], *s.zt[Y]) for g in way)
        mark = len(s.log)
        masks = set()
        for b in (X, Y):
            for y in soft(b):
                masks.add(s.app_days[y])
                s.unplace(y)
        s.unplace(h)
        for g in way:
            s.unplace(g)
        s.place(h, Y)
        for g in way:
            s.place(g, X)
        refresh(masks)
        for b in (X, Y) if rng.random() < 0.5 else (Y, X):
            fill(b)
            masks.update(s.app_days[y] for y in soft(b))
            refresh(masks)
        gained = s.level_days[level] - before
        worse = misses(s.apps[h], *s.zt[Y]) + sum(misses(s.apps[g], *s.zt[X]) for g in way) > missed
        quota = all(s.within_quota(s.apps[y].category_group) for y, _ in s.log[mark:])
        if gained < 0 or (gained == 0 and worse) or not quota:
            s.undo(mark)
            refresh(masks)

    def host(self, h: int, X: int, cands: list[int]):
        """A booth Y (drawn from cands) for h, whose higher-level applications in h's way fit in X once
        h has left it: (Y, those applications, their days), or None after Limits.wander_look draws."""
        s, level, rng = self.s, self.level, self.rng
        dh = s.app_days[h]
        room = s.avail[X] & ~(self.t.hard_mask(X) & ~dh)
        fx = s.feat[X]
        for _ in range(self.limits.wander_look):
            Y = cands[rng.randrange(len(cands))]
            if Y == X:
                continue
            way, union, ok = [], 0, True
            for g in s.occupants[Y]:
                if s.app_days[g] & dh:
                    if s.pinned[g]:
                        ok = False
                        break
                    if s.apps[g].priority > level:
                        way.append(g)
                        union |= s.app_days[g]
            if ok and not union & ~room and not any(s.app_needs[g] & ~fx for g in way):
                return Y, way, union
        return None
