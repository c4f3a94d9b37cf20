"""The engine's state: booths, who is on them, and the indexes that keep the searches cheap.

Every step of the pipeline works on one State: it places and unplaces applications (each move is
logged, so a step can try a change and undo it), and the State keeps its indexes in step: booths
grouped into classes (same features, same days open) and, within a class, by busy days and (zone,
type), so a search looks at classes x busy-day patterns, not at every booth; free days by pattern
(holes), booth-days placed per priority and per category group (quotas), and, while a level is
being filled, that level's waiting applications in pools by (needs, days, category group).
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict

from .limits import Limits
from .masks import bits, days_mask
from .types import Instance, misses

# How many interchangeable booths of one (zone, type) are compared for preferences and neighbours.
_LOOK = 4


class State:
    """Booths, who is on them, and the class buckets that make the search cheap."""

    def __init__(self, instance: Instance, walk: int = Limits.walk) -> None:
        names = sorted(
            {f for b in instance.booths for f in b.features}
            | {n for a in instance.applications for n in a.needs}
        )
        self.bit = {name: 1 << i for i, name in enumerate(names)}
        all_days = (1 << len(instance.days)) - 1
        self.booths = instance.booths
        self.index = {b.id: i for i, b in enumerate(instance.booths)}
        self.feat = [self.mask_of(b.features) for b in instance.booths]
        self.avail = [all_days if b.days is None else days_mask(b.days) for b in instance.booths]
        self.occ = [0] * len(instance.booths)
        self.occupants: list[list[int]] = [[] for _ in instance.booths]
        self.neighbours = [
            sorted(self.index[n] for n in b.neighbours if n in self.index) for b in instance.booths
        ]
        self.zt = [(b.zone, b.type) for b in instance.booths]
        self.class_of: list[int] = []
        keys: dict[tuple[int, int], int] = {}
        for i in range(len(instance.booths)):
            self.class_of.append(keys.setdefault((self.feat[i], self.avail[i]), len(keys)))
        self.class_feat = [k[0] for k in keys]
        self.class_avail = [k[1] for k in keys]
        # class -> busy-days mask -> (zone, type) -> ordered set of booths
        self.buckets: list[dict[int, dict[tuple[str, str], dict[int, None]]]] = [{} for _ in keys]
        self.holes: dict[int, int] = defaultdict(int)
        for i in range(len(instance.booths)):
            self._add(i)
        self.apps = instance.applications
        self.app_days = [days_mask(a.days) for a in instance.applications]
        self.app_needs = [self.mask_of(a.needs) for a in instance.applications]
        self.booth_of = [-1] * len(instance.applications)
        self.by_days: dict[tuple[int, int], dict[int, None]] = {}  # placed, by (priority, days)
        self.placed_masks: dict[int, set[int]] = defaultdict(set)  # priority -> days ever placed
        # (application, booth) placed, (application, -1 - booth) taken off: what undo takes back
        self.log: list[tuple[int, int]] = []
        self.pinned = [a.pinned is not None for a in instance.applications]
        self._compat: dict[tuple[int, int], list[int]] = {}
        self.day_free = [
            sum(1 for i in range(len(self.avail)) if self.avail[i] >> d & 1)
            for d in range(len(instance.days))
        ]
        self.size = [len(a.days) for a in instance.applications]
        self.level_days: dict[int, int] = defaultdict(int)  # booth-days placed per priority
        self.position = [0] * len(instance.applications)  # lottery position, set by allocate
        # While a level fills its holes: its unplaced applications by (needs, days), lottery order.
        # (needs, days, category group) -> those applications, in lottery order.
        self.pools: dict[tuple[int, int, str], list[int]] | None = None
        # With the pools, by the step that opened them: days -> the (needs, group) of its pools; and
        # the hole filling's pool keys, sorted.
        self.pool_needs: dict[int, list[tuple[int, str]]] = {}
        self.pool_keys: list[tuple[int, int, str]] = []
        # Unplaced applications by days, and booths by free days: whether a leftover can be filled.
        self.supply: dict[int, int] = defaultdict(int)
        for a in range(len(instance.applications)):
            self.supply[self.app_days[a]] += 1
        self.level = 0
        # Quotas: category group -> most booth-days, and booth-days used.
        capacity = sum(m.bit_count() for m in self.avail)
        self.limit = {group: percent * capacity // 100 for group, percent in instance.quotas}
        self.used: dict[str, int] = defaultdict(int)
        self.group_days: dict[tuple[str, int], int] = defaultdict(int)  # (group, priority) -> placed
        self.county_placed: dict[str, int] = defaultdict(int)  # applications placed per county
        self.all_days = all_days
        self.seed = instance.seed
        self._supersets: dict[int, list[int]] = {}
        self.walk = walk

    def mask_of(self, names) -> int:
        mask = 0
        for name in names:
            mask |= self.bit[name]
        return mask

    def _add(self, b: int) -> None:
        self.holes[self.avail[b] & ~self.occ[b]] += 1
        by_occ = self.buckets[self.class_of[b]]
        by_occ.setdefault(self.occ[b], {}).setdefault(self.zt[b], {})[b] = None

    def _remove(self, b: int) -> None:
        free = self.avail[b] & ~self.occ[b]
        self.holes[free] -= 1
        if not self.holes[free]:
            del self.holes[free]
        by_occ = self.buckets[self.class_of[b]]
        by_zt = by_occ[self.occ[b]]
        members = by_zt[self.zt[b]]
        del members[b]
        if not members:
            del by_zt[self.zt[b]]
            if not by_zt:
                del by_occ[self.occ[b]]

    def compatible(self, needs: int, days: int) -> list[int]:
        key = (needs, days)
        found = self._compat.get(key)
        if found is None:
            found = self._compat[key] = [
                c
                for c in range(len(self.class_feat))
                if needs & ~self.class_feat[c] == 0 and days & ~self.class_avail[c] == 0
            ]
        return found

    def place(self, a: int, b: int) -> None:
        self._remove(b)
        self.occ[b] |= self.app_days[a]
        self._add(b)
        self.occupants[b].append(a)
        self.booth_of[a] = b
        for d in bits(self.app_days[a]):
            self.day_free[d] -= 1
        self.log.append((a, b))
        app = self.apps[a]
        self.by_days.setdefault((app.priority, self.app_days[a]), {})[a] = None
        self.placed_masks[app.priority].add(self.app_days[a])
        self.level_days[app.priority] += self.size[a]
        self.supply[self.app_days[a]] -= 1
        self.used[app.category_group] += self.size[a]
        self.group_days[(app.category_group, app.priority)] += self.size[a]
        self.county_placed[app.county] += 1
        if self.pools is not None and app.priority == self.level:
            self.pools[(self.app_needs[a], self.app_days[a], app.category_group)].remove(a)

    def unplace(self, a: int) -> None:
        b = self.booth_of[a]
        self._remove(b)
        self.occ[b] &= ~self.app_days[a]
        self._add(b)
        self.occupants[b].remove(a)
        self.booth_of[a] = -1
        for d in bits(self.app_days[a]):
            self.day_free[d] += 1
        self.log.append((a, -1 - b))
        app = self.apps[a]
        del self.by_days[(app.priority, self.app_days[a])][a]
        self.level_days[app.priority] -= self.size[a]
        self.supply[self.app_days[a]] += 1
        self.used[app.category_group] -= self.size[a]
        self.group_days[(app.category_group, app.priority)] -= self.size[a]
        self.county_placed[app.county] -= 1
        if self.pools is not None and app.priority == self.level:
            pool = self.pools.setdefault((self.app_needs[a], self.app_days[a], app.category_group), [])
            bisect.insort(pool, a, key=self.position.__getitem__)

    def open_somewhere(self, days: int) -> bool:
        """Whether some booth is free on all these days (features aside): cheaper than find."""
        return any(days & ~free == 0 for free in self.holes)

    def within_quota(self, group: str) -> bool:
        limit = self.limit.get(group)
        return limit is None or self.used[group] <= limit

    def supersets(self, days: int, level: int) -> list[int]:
        """The day masks that contain days, fewest days first: all of them up to walk days beyond
        days, else the ones of the level's placed applications."""
        if (self.all_days & ~days).bit_count() > self.walk:
            return sorted(
                (m for m in self.placed_masks[level] if m & days == days), key=lambda m: (m.bit_count(), m)
            )
        found = self._supersets.get(days)
        if found is None:
            found, cover = [], days
            while cover <= self.all_days:
                found.append(cover)
                cover = (cover + 1) | days
            found.sort(key=lambda m: (m.bit_count(), m))
            self._supersets[days] = found
        return found

    def quota_ok(self, a: int, freed: int = 0) -> bool:
        """Whether a fits its category group's quota (freed: its group's booth-days about to go)."""
        group = self.apps[a].category_group
        limit = self.limit.get(group)
        return limit is None or self.used[group] - freed + self.size[a] <= limit

    def freed(self, a: int, leaving: list[int]) -> int:
        """Booth-days of a's category group among the applications leaving."""
        group = self.apps[a].category_group
        return sum(self.size[x] for x in leaving if self.apps[x].category_group == group)

    def undo(self, mark: int) -> None:
        """Takes back every place and unplace since len(log) was mark."""
        moves = self.log[mark:]
        for a, b in reversed(moves):
            if b >= 0:
                self.unplace(a)
            else:
                self.place(a, -1 - b)
        del self.log[mark:]

    def find(self, a: int) -> int:
        """The best free booth for a, or -1."""
        days, needs = self.app_days[a], self.app_needs[a]
        if any(self.day_free[d] == 0 for d in bits(days)):
            return -1
        best_tier = None
        tier_buckets: list[dict[tuple[str, str], dict[int, None]]] = []
        for c in self.compatible(needs, days):
            surplus = (self.class_feat[c] & ~needs).bit_count()
            free = self.class_avail[c] & ~days
            for occ, by_zt in self.buckets[c].items():
                if occ & days:
                    continue
                left = free & ~occ
                bad = left != 0 and self.supply.get(left, 0) <= self.holes.get(left, 0)
                # Leftover days that nothing waiting has exactly: better many (a long run that
                # longer requests fill) than a stranded few.
                tier = (surplus, bad, -left.bit_count() if bad else left.bit_count())
                if best_tier is None or tier < best_tier:
                    best_tier, tier_buckets = tier, [by_zt]
                elif tier == best_tier:
                    tier_buckets.append(by_zt)
        if best_tier is None:
            return -1
        app = self.apps[a]
        best, best_score = -1, None
        # Nothing beats a booth that misses no preference and has no neighbour of the same category
        # or county, when there is no support company to be near: the first such one is taken.
        perfect = (0, 0, 0, 0) if app.group is None else None
        for by_zt in tier_buckets:
            for (zone, kind), members in by_zt.items():
                miss = misses(app, zone, kind)
                if best_score is not None and miss > best_score[0]:
                    continue
                for b in itertools.islice(members, _LOOK):
                    score = (miss, *self.neighbourhood(a, b))
                    if score == perfect:
                        return b
                    if best_score is None or score < best_score:
                        best, best_score = b, score
        return best

    def neighbourhood(self, a: int, b: int) -> tuple[int, int, int]:
        """(neighbours of the same category on a's days, minus neighbours of a's support company,
        neighbours from a's county): lower is better, in that order."""
        app, days = self.apps[a], self.app_days[a]
        same = group = county = 0
        for n in self.neighbours[b]:
            for other in self.occupants[n]:
                if self.app_days[other] & days:
                    o = self.apps[other]
                    same += bool(app.category) and o.category == app.category
                    group += app.group is not None and o.group == app.group
                    county += bool(app.county) and o.county == app.county
        return same, -group, county

    def fits_alone(self, a: int, b: int) -> bool:
        return self.app_needs[a] & ~self.feat[b] == 0 and self.app_days[a] & ~self.avail[b] == 0

    def booths_of_classes(self, classes: list[int]):
        for c in classes:
            for by_zt in list(self.buckets[c].values()):
                for members in list(by_zt.values()):
                    yield from list(members)
