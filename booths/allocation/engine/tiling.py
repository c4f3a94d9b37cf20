"""Exact tiling of a booth's free days by a level's waiting applications, for rehoming and the plateau
search (engine step 5).

Both searches move higher-level applications between booths and then ask what the level can put in
the days that leave free: the most booth-days, exactly, by a bitmask DP over the days (tile), memoised
per set of features. Which day masks can be used changes as applications are placed and taken off
(refresh), and so does the memo. A LevelTiling holds that shared state for one level while one of
the searches runs; it opens the level's pools on the State (State.pools) for as long.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from .limits import Budget
from .masks import holding
from .state import State

Pools = dict[tuple[int, int, str], list[int]]


def level_pools(s: State, members: list[int]) -> tuple[Pools, dict[int, list[tuple[int, str]]]]:
    """A pool for every (needs, days, category group) of the level, placed or not, holding its
    unplaced applications in members' order (lottery order within a pool); and days -> the (needs,
    group) of its pools. Set as s.pools, the state keeps the pools up to date as it places and
    unplaces the level's applications."""
    pools: Pools = defaultdict(list)
    for a in members:
        pool = pools[(s.app_needs[a], s.app_days[a], s.apps[a].category_group)]
        if s.booth_of[a] < 0:
            pool.append(a)
    by_days: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for needs, days, group in sorted(pools):
        by_days[days].append((needs, group))
    return pools, by_days


def take(s: State, pools: Pools, by_days, f: int, m: int) -> int:
    """The waiting application with days m that fits features f: most needs, then lottery."""
    best, best_key = -1, None
    for needs, g in by_days.get(m, ()):
        if needs & ~f:
            continue
        pool = pools[(needs, m, g)]
        if not pool:
            continue
        a = pool[0]
        if not s.quota_ok(a):
            continue
        key = (-needs.bit_count(), s.position[a])
        if best_key is None or key < best_key:
            best, best_key = a, key
    return best


class LevelTiling:
    """The level's pools, the day masks its waiting applications ask for (per set of booth features)
    and the memoised tiling over them; tiling steps are spent from budget."""

    def __init__(self, s: State, level: int, pools: Pools, by_days, budget: Budget) -> None:
        self.s, self.level, self.budget = s, level, budget
        self.pools, self.by_days = pools, by_days
        self.feats = feats = sorted(set(s.feat))
        self.avail_masks: dict[int, set[int]] = {}
        self.waiting_needs = {m: self.waiting(m) for m in by_days}  # as last seen by refresh
        for f in feats:  # features -> the days masks some waiting application with fitting needs asks for
            self.avail_masks[f] = {
                m for m, needs in self.waiting_needs.items() if any(n & ~f == 0 for n in needs)
            }
        self.memo: dict[int, dict[int, int]] = {f: {} for f in feats}
        # features -> lowest day -> avail_masks, in order
        self.by_low: dict[int, dict[int, list[int]]] = {}
        for f in feats:
            self.by_low[f] = defaultdict(list)
            for m in sorted(self.avail_masks[f]):
                self.by_low[f][m & -m].append(m)

    def waiting(self, m: int) -> tuple[int, ...]:
        """The needs of the pools with days m that have someone waiting."""
        pools = self.pools
        return tuple(n for n, g in self.by_days.get(m, ()) if pools[(n, m, g)])

    def tile(self, f: int, free: int) -> int:
        """The most of the days free that waiting applications fitting features f can hold."""
        table = self.memo[f]
        got = table.get(free)
        if got is not None:
            return got
        if not free:
            return 0
        self.budget.left -= 1
        have = self.avail_masks[f]
        full = free.bit_count()
        if free in have:
            table[free] = full
            return full
        low = free & -free
        rest = free ^ low
        best = 0
        for m in holding(low, free, have, self.by_low[f][low]):  # stop at a tiling leaving no day empty
            value = m.bit_count() + self.tile(f, free ^ m)
            if value > best:
                best = value
                if best == full:
                    break
        if best < full - 1:  # the lowest day left empty: at most full - 1
            best = max(best, self.tile(f, rest))
        table[free] = best
        return best

    def tile_extra(self, f: int, free: int, extras: list[int]) -> int:
        """tile, when the masks in extras (each once) may be used as well."""
        extras = [m for m in extras if m & ~free == 0]
        best = self.tile(f, free)
        for n in range(1, 1 << len(extras)):
            used = size = 0
            for i, m in enumerate(extras):
                if n >> i & 1:
                    if used & m:
                        break
                    used |= m
                    size += m.bit_count()
            else:
                best = max(best, size + self.tile(f, free & ~used))
        return best

    def pick(self, f: int, free: int, want: int) -> int | None:
        """A days mask inside free that starts a tiling worth want (the lowest day may stay empty)."""
        low = free & -free
        if self.tile(f, free ^ low) == want:
            return self.pick(f, free ^ low, want)
        for m in holding(low, free, self.avail_masks[f], self.by_low[f][low]):
            if m.bit_count() + self.tile(f, free ^ m) == want:
                return m
        return None

    def hard_mask(self, b: int) -> int:
        """The days of b held by pins and higher levels: the ones the level cannot have."""
        s, level = self.s, self.level
        m = 0
        for x in s.occupants[b]:
            if s.pinned[x] or s.apps[x].priority > level:
                m |= s.app_days[x]
        return m

    def soft(self, b: int) -> list[int]:
        """The level's applications on b (pins aside): the ones a tiling may replace."""
        s, level = self.s, self.level
        return [x for x in s.occupants[b] if not s.pinned[x] and s.apps[x].priority == level]

    def fill(self, b: int) -> None:
        """b's free days take the level's waiting applications of a best tiling, one by one."""
        s = self.s
        f = s.feat[b]
        while True:
            free = s.avail[b] & ~s.occ[b]
            if not free:
                return
            want = self.tile(f, free)
            if want == 0:
                return
            choice = self.pick(f, free, want)
            if choice is None:
                return
            a = take(s, self.pools, self.by_days, f, choice)
            if a < 0:
                return
            s.place(a, b)

    def refresh(self, masks) -> None:
        """After placing or taking off applications with these day masks: the masks that are asked
        for now, per set of features; a changed set clears its memo."""
        fresh = []
        waiting_needs = self.waiting_needs
        for m in masks:
            needs = self.waiting(m)
            if waiting_needs.get(m) != needs:
                waiting_needs[m] = needs
                fresh.append(m)
        if not fresh:
            return
        for f in self.feats:
            changed = False
            avail, by_low = self.avail_masks[f], self.by_low[f]
            for m in fresh:
                now = any(n & ~f == 0 for n in waiting_needs[m])
                if now != (m in avail):
                    changed = True
                    if now:
                        avail.add(m)
                        bisect.insort(by_low[m & -m], m)
                    else:
                        avail.discard(m)
                        by_low[m & -m].remove(m)
            if changed:
                self.memo[f].clear()
