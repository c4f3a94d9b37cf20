"""Rehoming (engine step 5, after the hole filling): where the higher levels' layout decides what a
level can still get, their applications change booths so that the freed days, tiled again exactly,
give the level more booth-days.

For a booth A, some of its higher-level applications move to other booths where only this level (or
nothing) holds their days, and the booths' free days are tiled again, exactly (LevelTiling), from the
waiting applications of the level and the ones that gave way; or one application of the level is
pulled from another booth D into A's free days (D tiled again, possibly pulling one more from a third
booth E). A move stands only when the level gains booth-days; the higher levels keep every
application (only booths change), though a moved one may lose a preferred zone or neighbour
(booth-days come before preferences). The work is counted in steps (Limits.rehome_steps).
"""

from __future__ import annotations

from collections import defaultdict

from .limits import Budget, Limits
from .masks import touching
from .state import State
from .tiling import LevelTiling, level_pools


def rehome(s: State, level: int, members: list[int], budget: Budget, limits: Limits) -> None:
    """Booths with free days: move some of their higher-level applications to other booths whose
    days are held only by this level (or free), and re-tile the booths' days with this level's
    applications (waiting ones and the ones that gave way), when this level gains booth-days."""
    pools, by_days = level_pools(s, members)
    if not pools:
        return
    s.pools, s.level = pools, level
    try:
        Rehoming(LevelTiling(s, level, pools, by_days, budget), limits).run()
    finally:
        s.pools = None
    s.log.clear()


class Rehoming:
    """The booths indexed by (class, days held by pins and higher levels), with this level's
    booth-days on each, so a moving application's best targets are found per index key, not per
    booth; and the moves tried, booth by booth, while the budget lasts."""

    def __init__(self, tiling: LevelTiling, limits: Limits) -> None:
        self.t, self.s, self.level, self.budget = tiling, tiling.s, tiling.level, tiling.budget
        self.limits = limits
        s = self.s
        # (class, hard mask) -> booth -> this level's booth-days on it
        self.groups: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
        self.class_keys: dict[int, dict[int, None]] = defaultdict(dict)
        self.where: list[tuple[int, int]] = [(0, 0)] * len(s.booths)
        for b in range(len(s.booths)):
            self.index(b)
        # (needs, days) -> the best (loss, booth) targets, until a move stands
        self.found_targets: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def index(self, b: int) -> None:
        s = self.s
        key = (s.class_of[b], self.t.hard_mask(b))
        self.where[b] = key
        self.groups[key][b] = sum(s.size[x] for x in self.t.soft(b))
        self.class_keys[key[0]][key[1]] = None

    def unindex(self, b: int) -> None:
        groups = self.groups
        key = self.where[b]
        del groups[key][b]
        if not groups[key]:
            del groups[key]
            del self.class_keys[key[0]][key[1]]

    def run(self) -> None:
        s, budget = self.s, self.budget
        improved = True
        while improved and budget.left > 0:
            improved = False
            for A in range(len(s.booths)):
                if budget.left <= 0:
                    break
                best = self.best_move(A)
                if best is not None and self.move(A, best):
                    improved = True

    def best_move(self, A: int) -> list[tuple[int, int]] | None:
        """The (application, booth) moves that give the level most booth-days around booth A: a
        subset of A's higher-level applications each to its best target, or a pull into A's free
        days; None when nothing gains."""
        s, level, tile = self.s, self.level, self.t.tile
        hi = [x for x in s.occupants[A] if not s.pinned[x] and s.apps[x].priority > level]
        if len(hi) > self.limits.rehome_subset:
            return None
        fixed = 0
        for x in s.occupants[A]:
            if s.pinned[x]:
                fixed |= s.app_days[x]
        nowA = sum(s.size[x] for x in self.t.soft(A))
        fA = s.feat[A]
        options = {x: self.targets(x, {A}, self.limits.rehome_targets) for x in hi}
        best, best_gain = None, 0
        for n in range(1 << len(hi)):
            moving = [hi[i] for i in range(len(hi)) if n >> i & 1]
            stay = fixed
            for i in range(len(hi)):
                if not n >> i & 1:
                    stay |= s.app_days[hi[i]]
            gain = tile(fA, s.avail[A] & ~stay) - nowA
            used: set[int] = set()
            plan = []
            for x in moving:
                for loss, B in options[x]:
                    if B not in used:
                        used.add(B)
                        plan.append((x, B))
                        gain -= loss
                        break
                else:
                    gain = -1 << 30
                    break
            if gain > best_gain:
                best, best_gain = plan, gain
        freeA = s.avail[A] & ~s.occ[A]
        if freeA:
            best, best_gain = self.pull(A, fA, nowA, freeA, best, best_gain)
        return best

    def move(self, A: int, best: list[tuple[int, int]]) -> bool:
        """Make the moves, tile the booths touched again; True when the level gained (and the quotas
        hold), else all is undone."""
        s, level, t = self.s, self.level, self.t
        before = s.level_days[level]
        mark = len(s.log)
        touched = list(dict.fromkeys([A] + [B for _, B in best] + [s.booth_of[x] for x, _ in best]))
        for b in touched:
            self.unindex(b)
        masks = set()
        for b in touched:
            for y in t.soft(b):
                masks.add(s.app_days[y])
                s.unplace(y)
        for x, _target in best:
            if s.booth_of[x] >= 0:
                s.unplace(x)
        for x, B in best:
            s.place(x, B)
        t.refresh(masks)
        for b in touched:
            t.fill(b)
            masks.update(s.app_days[y] for y in t.soft(b))
            t.refresh(masks)
        self.budget.left -= 20 * (len(s.log) - mark)
        stood = s.level_days[level] > before and all(
            s.within_quota(s.apps[y].category_group) for y, _ in s.log[mark:]
        )
        if stood:
            self.found_targets.clear()
        else:
            s.undo(mark)
            t.refresh(masks)
        for b in touched:
            self.index(b)
        return stood

    def targets(self, x: int, skip: set[int], count: int) -> list[tuple[int, int]]:
        """Up to count (loss, booth) for x: this level's booth-days lost when x moves there."""
        s, budget, tile, groups = self.s, self.budget, self.t.tile, self.groups
        days, needs = s.app_days[x], s.app_needs[x]
        key = (needs, days)
        found = self.found_targets.get(key)
        if found is None:
            found = []
            for c in s.compatible(needs, days):
                f, av = s.class_feat[c], s.class_avail[c]
                for hard in self.class_keys[c]:
                    budget.left -= 1
                    if hard & days:
                        continue
                    room = tile(f, av & ~hard & ~days)
                    best_b, best_now, second_b, second_now = -1, 0, -1, 0
                    for b, now in groups[(c, hard)].items():
                        if best_b < 0 or (now, b) < (best_now, best_b):
                            second_b, second_now = best_b, best_now
                            best_b, best_now = b, now
                        elif second_b < 0 or (now, b) < (second_now, second_b):
                            second_b, second_now = b, now
                    found.append((best_now - room, best_b))
                    if second_b >= 0:
                        found.append((second_now - room, second_b))
            found.sort()
            del found[count + 2 :]
            self.found_targets[key] = found
        return [t for t in found if t[1] not in skip][:count]

    def leaving_loss(self, b: int, q: int) -> int:
        """This level's booth-days booth b loses when its application q leaves (b tiled again)."""
        s, where = self.s, self.where
        own = [s.app_days[y] for y in self.t.soft(b) if y != q]
        return self.groups[where[b]][b] - self.t.tile_extra(s.feat[b], s.avail[b] & ~where[b][1], own)

    def pull(self, A: int, fA: int, nowA: int, freeA: int, best, best_gain: int):
        """A better plan, if any, in which an application of the level placed on another booth D
        moves into A's free days (D tiled again, or D in turn pulling one from a third booth)."""
        s, level, budget, t = self.s, self.level, self.budget, self.t
        look = self.limits.rehome_look
        region = s.avail[A] & ~t.hard_mask(A)
        for sub in touching(freeA, region, s.placed_masks[level], s.walk):
            budget.left -= 1
            placed_here = s.by_days.get((level, sub))
            if placed_here:
                ownA = [s.app_days[y] for y in t.soft(A)]
                room = sub.bit_count() + t.tile_extra(fA, region & ~sub, ownA) - nowA
                if room > best_gain:
                    looked = 0
                    for q in placed_here:
                        D = s.booth_of[q]
                        if D == A or s.pinned[q] or s.app_needs[q] & ~fA:
                            continue
                        looked += 1
                        if looked > look:
                            break
                        budget.left -= 1
                        gain = room - self.leaving_loss(D, q)
                        if gain > best_gain:
                            best, best_gain = [(q, A)], gain
                        elif gain == best_gain and gain >= 0:
                            further = self.pull_on(A, D, q, gain, best_gain)
                            if further is not None:
                                best, best_gain = [(q, A), (further[0], D)], further[1]
        return best, best_gain

    def pull_on(self, A: int, D: int, q: int, gain: int, best_gain: int) -> tuple[int, int] | None:
        """D, having given q to A, takes back what it loses with one application pulled from a third
        booth E: (that application, the plan's gain) when the plan beats best_gain."""
        s, level, budget, t = self.s, self.level, self.budget, self.t
        look = self.limits.rehome_look
        regionD = s.avail[D] & ~self.where[D][1]
        fD = s.feat[D]
        ownD = [s.app_days[y] for y in t.soft(D) if y != q]
        baseD = t.tile_extra(fD, regionD, ownD)
        dq = s.app_days[q]
        for sub in touching(dq, regionD, s.placed_masks[level], s.walk):
            budget.left -= 1
            there = s.by_days.get((level, sub))
            if there:
                room = sub.bit_count() + t.tile_extra(fD, regionD & ~sub, ownD) - baseD
                if room > 0:
                    seen = 0
                    for q2 in there:
                        E = s.booth_of[q2]
                        if E in (A, D) or q2 == q or s.pinned[q2] or s.app_needs[q2] & ~fD:
                            continue
                        seen += 1
                        if seen > look:
                            break
                        budget.left -= 1
                        total = gain + room - self.leaving_loss(E, q2)
                        if total > best_gain:
                            return q2, total
        return None
