"""The booth allocation engine: a pure function from an instance to assignments, with reasons.

No Django and no ORM here: plain dataclasses in, plain dataclasses out, so the same code serves the
database (booths.allocation.adapter), standalone instances (manage.py allocate --instance) and bench/.

How it works (ALLOCATION_INSTANCE.md has the rules it keeps):
1. Lottery. The applications are sorted by id and shuffled with random.Random(seed).shuffle; an
   application's lottery rank is its 1-based position in that list among applications of its own
   priority. Anyone with the instance and the seed can re-run it.
2. Pins are placed first, on their booths.
3. Priority levels are filled from the highest down. Within a level, requests for more days come
   first (they are the ones that fill booth-days; a short request fits in the holes they leave),
   then the lottery rank. Each application takes a booth that is free on all its days, has its
   needs and, in that order: has the fewest features it does not need (water booths stay for those
   who need water), is left with the fewest free days (tight packing, no stranded single days),
   matches its preferred zones and types, has no neighbour of the same category on its days, has
   neighbours of its support company, and comes first on the plan.
   Booths with the same features and availability form classes; within a class, booths with the
   same busy days are interchangeable for booth-days, so the search looks at classes × busy-day
   patterns, not at every booth.
4. Repair. An application of the level left without a booth may still get one when the
   applications in its way on some booth can move to other booths (they keep their place, only the
   booth changes). Upgrade: a longer request may take a booth from shorter requests of its own
   level when the level gains booth-days (a higher-level application in the way may swap booths
   with one of this level that has exactly its days). Both are capped by a count of booths looked
   at, never by a clock, so the result does not depend on the machine.
5. Priority guard. While an unplaced application could take a booth by displacing only applications
   of lower priority (no pins), it does; the displaced ones look for another free booth.
6. Every unplaced application gets a code and the figures for its reason; every placed one the
   figures for why that booth.
"""

from __future__ import annotations

import itertools
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class BoothIn:
    id: str
    zone: str = ""
    type: str = ""
    features: frozenset[str] = frozenset()
    neighbours: tuple[str, ...] = ()
    days: tuple[int, ...] | None = None  # None: every day


@dataclass(frozen=True)
class ApplicationIn:
    id: str
    days: tuple[int, ...]
    vendor: str = ""
    category: str = ""
    county: str = ""
    group: str | None = None
    priority: int = 0
    needs: frozenset[str] = frozenset()
    prefer_zones: tuple[str, ...] = ()
    prefer_types: tuple[str, ...] = ()
    pinned: str | None = None
    category_group: str = ""  # for quotas


@dataclass(frozen=True)
class Instance:
    days: tuple[str, ...]
    booths: tuple[BoothIn, ...]
    applications: tuple[ApplicationIn, ...]
    seed: int = 0
    site: str = ""
    # (category group, largest share of the site's booth-days in percent); a hard rule
    quotas: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Placement:
    """An application on a booth for all its days; code and facts say why that booth."""

    application: str
    booth: str
    days: tuple[int, ...]
    code: str  # pinned | preferred | needs | group | free
    facts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Refusal:
    """An application without a booth; code and facts say why."""

    application: str
    code: str  # no_booth_with_needs | no_booth_on_days | booths_full_on_days
    facts: dict = field(default_factory=dict)


@dataclass
class Result:
    assignments: list[Placement]
    unassigned: list[Refusal]
    seed: int
    booth_days: int
    seconds: float
    levels: dict[int, dict[str, int]]  # priority -> placed, unplaced, booth_days, asked_booth_days


# How many interchangeable booths of one (zone, type) are compared for preferences and neighbours.
_LOOK = 4
# Booths the upgrade pass may look at per level: enough for 20,000 × 4,000, bounded in time.
_UPGRADE_BUDGET = 400_000
# A booth search counts as this many booths looked at.
_FIND_COST = 50


def lottery(application_ids: list[str], seed: int) -> list[str]:
    """The published lottery: ids sorted, then shuffled by random.Random(seed)."""
    order = sorted(application_ids)
    random.Random(seed).shuffle(order)
    return order


class _State:
    """Booths, who is on them, and the class buckets that make the search cheap."""

    def __init__(self, instance: Instance) -> None:
        names = sorted(
            {f for b in instance.booths for f in b.features}
            | {n for a in instance.applications for n in a.needs}
        )
        self.bit = {name: 1 << i for i, name in enumerate(names)}
        all_days = (1 << len(instance.days)) - 1
        self.booths = instance.booths
        self.index = {b.id: i for i, b in enumerate(instance.booths)}
        self.feat = [self.mask_of(b.features) for b in instance.booths]
        self.avail = [all_days if b.days is None else _days_mask(b.days) for b in instance.booths]
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
        for i in range(len(instance.booths)):
            self._add(i)
        self.apps = instance.applications
        self.app_days = [_days_mask(a.days) for a in instance.applications]
        self.app_needs = [self.mask_of(a.needs) for a in instance.applications]
        self.booth_of = [-1] * len(instance.applications)
        self.by_days: dict[tuple[int, int], dict[int, None]] = {}  # placed, by (priority, days)
        self.log: list[
            tuple[int, int]
        ] = []  # (application, booth) placed, (application, -1 - booth) taken off
        self.pinned = [a.pinned is not None for a in instance.applications]
        self._compat: dict[tuple[int, int], list[int]] = {}
        self.day_free = [
            sum(1 for i in range(len(self.avail)) if self.avail[i] >> d & 1)
            for d in range(len(instance.days))
        ]

    def mask_of(self, names) -> int:
        mask = 0
        for name in names:
            mask |= self.bit[name]
        return mask

    def _add(self, b: int) -> None:
        by_occ = self.buckets[self.class_of[b]]
        by_occ.setdefault(self.occ[b], {}).setdefault(self.zt[b], {})[b] = None

    def _remove(self, b: int) -> None:
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
        for d in _bits(self.app_days[a]):
            self.day_free[d] -= 1
        self.log.append((a, b))
        self.by_days.setdefault((self.apps[a].priority, self.app_days[a]), {})[a] = None

    def unplace(self, a: int) -> None:
        b = self.booth_of[a]
        self._remove(b)
        self.occ[b] &= ~self.app_days[a]
        self._add(b)
        self.occupants[b].remove(a)
        self.booth_of[a] = -1
        for d in _bits(self.app_days[a]):
            self.day_free[d] += 1
        self.log.append((a, -1 - b))
        del self.by_days[(self.apps[a].priority, self.app_days[a])][a]

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
        best_tier = None
        tier_buckets: list[dict[tuple[str, str], dict[int, None]]] = []
        for c in self.compatible(needs, days):
            surplus = (self.class_feat[c] & ~needs).bit_count()
            free = self.class_avail[c] & ~days
            for occ, by_zt in self.buckets[c].items():
                if occ & days:
                    continue
                tier = (surplus, (free & ~occ).bit_count())
                if best_tier is None or tier < best_tier:
                    best_tier, tier_buckets = tier, [by_zt]
                elif tier == best_tier:
                    tier_buckets.append(by_zt)
        if best_tier is None:
            return -1
        app = self.apps[a]
        best, best_score = -1, None
        for by_zt in tier_buckets:
            for (zone, kind), members in by_zt.items():
                miss = (bool(app.prefer_zones) and zone not in app.prefer_zones) + (
                    bool(app.prefer_types) and kind not in app.prefer_types
                )
                if best_score is not None and miss > best_score[0]:
                    continue
                for b in itertools.islice(members, _LOOK):
                    score = (miss, *self.neighbourhood(a, b), b)
                    if best_score is None or score < best_score:
                        best, best_score = b, score
        return best

    def neighbourhood(self, a: int, b: int) -> tuple[int, int]:
        """(neighbours of the same category on a's days, minus neighbours of a's support company)."""
        app, days = self.apps[a], self.app_days[a]
        same = group = 0
        for n in self.neighbours[b]:
            for other in self.occupants[n]:
                if self.app_days[other] & days:
                    o = self.apps[other]
                    same += bool(app.category) and o.category == app.category
                    group += app.group is not None and o.group == app.group
        return same, -group

    def fits_alone(self, a: int, b: int) -> bool:
        return self.app_needs[a] & ~self.feat[b] == 0 and self.app_days[a] & ~self.avail[b] == 0

    def booths_of_classes(self, classes: list[int]):
        for c in classes:
            for by_zt in list(self.buckets[c].values()):
                for members in list(by_zt.values()):
                    yield from list(members)


def _days_mask(days) -> int:
    mask = 0
    for d in days:
        mask |= 1 << d
    return mask


def _bits(mask: int):
    d = 0
    while mask:
        if mask & 1:
            yield d
        mask >>= 1
        d += 1


def allocate(instance: Instance) -> Result:
    """Assign booths to applications per ALLOCATION_INSTANCE.md. Deterministic for a given instance."""
    started = time.perf_counter()
    s = _State(instance)
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
        if app.pinned is not None:
            s.place(a, s.index[app.pinned])

    levels = sorted({a.priority for a in apps}, reverse=True)
    for level in levels:
        members = [a for a, app in enumerate(apps) if app.priority == level and not s.pinned[a]]
        members.sort(key=lambda a: (-len(apps[a].days), position[apps[a].id]))
        for a in members:
            b = s.find(a)
            if b >= 0:
                s.place(a, b)
        for _ in range(3):
            repaired = _repair(s, [a for a in members if s.booth_of[a] < 0])
            upgraded = _upgrade(s, [a for a in members if s.booth_of[a] < 0], level, position)
            if not (repaired or upgraded):
                break
    _guard_priorities(s, levels, position)

    assignments, unassigned = _explain(s, instance, rank, levels)
    per_level = {}
    for level in levels:
        mine = [a for a, app in enumerate(apps) if app.priority == level]
        per_level[level] = {
            "placed": sum(1 for a in mine if s.booth_of[a] >= 0),
            "unplaced": sum(1 for a in mine if s.booth_of[a] < 0),
            "booth_days": sum(len(apps[a].days) for a in mine if s.booth_of[a] >= 0),
            "asked_booth_days": sum(len(apps[a].days) for a in mine),
        }
    return Result(
        assignments=assignments,
        unassigned=unassigned,
        seed=instance.seed,
        booth_days=sum(len(apps[a].days) for a in range(len(apps)) if s.booth_of[a] >= 0),
        seconds=time.perf_counter() - started,
        levels=per_level,
    )


def _repair(s: _State, unplaced: list[int]) -> bool:
    """Place what fits when the applications in the way move to other booths. True if any was placed."""
    changed = False
    hopeless: set[tuple[int, int]] = set()
    for a in unplaced:
        key = (s.app_needs[a], s.app_days[a])
        if key in hopeless:
            continue
        b = s.find(a)
        if b >= 0:  # an earlier move made room
            s.place(a, b)
            changed = True
            hopeless.clear()
            continue
        if any(s.day_free[d] == 0 for d in _bits(s.app_days[a])):
            hopeless.add(key)
            continue
        if _make_room(s, a):
            changed = True
            hopeless.clear()
        else:
            hopeless.add(key)
    return changed


def _make_room(s: _State, a: int) -> bool:
    days = s.app_days[a]
    cannot_move: set[tuple[int, int]] = set()
    for b in s.booths_of_classes(s.compatible(s.app_needs[a], days)):
        in_way = [x for x in s.occupants[b] if s.app_days[x] & days]
        if any(s.pinned[x] or (s.app_needs[x], s.app_days[x]) in cannot_move for x in in_way):
            continue
        for x in in_way:
            s.unplace(x)
        s.place(a, b)
        moved = []
        for x in in_way:
            target = s.find(x)
            if target < 0:
                if len(in_way) == 1:
                    cannot_move.add((s.app_needs[x], s.app_days[x]))
                break
            s.place(x, target)
            moved.append(x)
        else:
            return True
        for x in moved:
            s.unplace(x)
        s.unplace(a)
        for x in in_way:
            s.place(x, b)
    return False


def _upgrade(s: _State, unplaced: list[int], level: int, position: dict[str, int]) -> bool:
    """Give a booth to a longer request in place of shorter ones of the same level (more booth-days).

    The applications in the way look for another free booth; one of a higher level that finds none
    may in turn displace applications of this level elsewhere. The move stands only when the level
    gains booth-days, and no higher level loses any. A gain needs a free booth-day on one of the
    request's days, so requests without one are skipped; the work is capped by a count (not a
    clock, so results stay reproducible).
    """
    apps = s.apps
    changed = False
    hopeless: set[tuple[int, int]] = set()
    budget = [_UPGRADE_BUDGET]
    for a in unplaced:
        if budget[0] <= 0:
            break
        if s.booth_of[a] >= 0:
            continue
        days = s.app_days[a]
        key = (s.app_needs[a], days)
        if key in hopeless or not any(s.day_free[d] > 0 for d in _bits(days)):
            continue
        size = days.bit_count()
        cost: dict[tuple[int, int, bool], int] = {}
        done = False
        for b in s.booths_of_classes(s.compatible(s.app_needs[a], days)):
            budget[0] -= 1
            if budget[0] <= 0:
                break
            in_way = [x for x in s.occupants[b] if s.app_days[x] & days]
            if any(s.pinned[x] or apps[x].priority < level for x in in_way):
                continue  # lower levels are not placed yet; pins never move
            estimate = 0
            for x in in_way:
                higher = apps[x].priority > level
                xkey = (s.app_needs[x], s.app_days[x], higher)
                if xkey not in cost:
                    budget[0] -= _FIND_COST
                    if s.find(x) >= 0:
                        cost[xkey] = 0
                    elif higher:
                        cost[xkey] = _cheapest(s, x, level, b, budget)[1]
                    else:
                        cost[xkey] = s.app_days[x].bit_count()
                estimate += cost[xkey]
            if estimate >= size:
                continue
            mark = len(s.log)
            lost = _take(s, a, b, in_way, level, position, budget)
            if lost < size:
                done = True
                break
            s.undo(mark)
            cost.clear()
        if done:
            changed = True
            hopeless.clear()
        else:
            hopeless.add(key)
    s.log.clear()
    return changed


def _take(s: _State, a: int, b: int, in_way: list[int], level: int, position, budget: list[int]) -> int:
    """Put a on b, re-place those in the way; returns the booth-days this level lost (a huge number
    when a higher level would lose any)."""
    apps = s.apps
    for x in in_way:
        s.unplace(x)
    s.place(a, b)
    lost = 0
    for x in sorted(in_way, key=lambda x: (-len(apps[x].days), position[apps[x].id])):
        budget[0] -= _FIND_COST
        target = s.find(x)
        if target >= 0:
            s.place(x, target)
        elif apps[x].priority > level:
            target, loss = _cheapest(s, x, level, -1, budget)
            if target < 0:
                return 1 << 30
            for y in [y for y in s.occupants[target] if s.app_days[y] & s.app_days[x]]:
                s.unplace(y)
            s.place(x, target)
            lost += loss
        else:
            lost += s.app_days[x].bit_count()
    return lost


def _cheapest(s: _State, x: int, level: int, skip: int, budget: list[int]) -> tuple[int, int]:
    """A booth for x held by an application of this level with exactly x's days (a swap partner).

    That application gives way: the level loses its booth-days, which the caller weighs.
    """
    days = s.app_days[x]
    for y in s.by_days.get((level, days), ()):
        budget[0] -= 1
        q = s.booth_of[y]
        if q != skip and not s.pinned[y] and s.app_needs[x] & ~s.feat[q] == 0:
            return q, days.bit_count()
    return -1, 1 << 30


def _guard_priorities(s: _State, levels: list[int], position: dict[str, int]) -> None:
    """Never leave an application out while it could take a booth from lower-priority ones only."""
    apps = s.apps
    lowest = min(levels, default=0)
    changed = True
    while changed:
        changed = False
        waiting = [a for a in range(len(apps)) if s.booth_of[a] < 0 and apps[a].priority > lowest]
        waiting.sort(key=lambda a: (-apps[a].priority, -len(apps[a].days), position[apps[a].id]))
        hopeless: set[tuple[int, int, int]] = set()
        for a in waiting:
            key = (apps[a].priority, s.app_needs[a], s.app_days[a])
            if key in hopeless:
                continue
            b = s.find(a)
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
                target = s.find(x)
                if target >= 0:
                    s.place(x, target)
            changed = True
            hopeless.clear()


def _lower_only_booth(s: _State, a: int) -> int:
    days, priority = s.app_days[a], s.apps[a].priority
    for b in sorted(s.booths_of_classes(s.compatible(s.app_needs[a], days))):
        in_way = [x for x in s.occupants[b] if s.app_days[x] & days]
        if all(not s.pinned[x] and s.apps[x].priority < priority for x in in_way):
            return b
    return -1


def _explain(s: _State, instance: Instance, rank: dict[int, int], levels: list[int]):
    apps = instance.applications
    # Figures for reasons: suitable booths on the days, and applicants of the same priority.
    applicants = defaultdict(int)
    for app in apps:
        applicants[app.priority] += 1
    suitable_cache: dict[tuple[int, int], tuple[int, int]] = {}
    class_size = [0] * len(s.class_feat)
    for c in s.class_of:
        class_size[c] += 1

    def suitable(a: int) -> tuple[int, int]:
        """(booths with the needs at all, booths with the needs open on all a's days)."""
        key = (s.app_needs[a], s.app_days[a])
        if key not in suitable_cache:
            needs, days = key
            with_needs = on_days = 0
            for c, size in enumerate(class_size):
                if needs & ~s.class_feat[c] == 0:
                    with_needs += size
                    on_days += size if days & ~s.class_avail[c] == 0 else 0
            suitable_cache[key] = (with_needs, on_days)
        return suitable_cache[key]

    assignments, unassigned = [], []
    for a, app in enumerate(apps):
        facts = {"priority": app.priority, "rank": rank[a], "applicants": applicants[app.priority]}
        b = s.booth_of[a]
        if b >= 0:
            booth = s.booths[b]
            if app.pinned is not None:
                code = "pinned"
            elif (app.prefer_zones and booth.zone in app.prefer_zones) or (
                app.prefer_types and booth.type in app.prefer_types
            ):
                code = "preferred"
            elif app.group is not None and s.neighbourhood(a, b)[1] < 0:
                code = "group"
            elif app.needs:
                code = "needs"
            else:
                code = "free"
            facts |= {"needs": sorted(app.needs), "zone": booth.zone, "type": booth.type}
            assignments.append(Placement(app.id, booth.id, tuple(sorted(app.days)), code, facts))
        else:
            with_needs, on_days = suitable(a)
            facts |= {"needs": sorted(app.needs), "booths": on_days}
            if with_needs == 0:
                code = "no_booth_with_needs"
            elif on_days == 0:
                code = "no_booth_on_days"
                facts["booths"] = with_needs
            else:
                code = "booths_full_on_days"
            unassigned.append(Refusal(app.id, code, facts))
    assignments.sort(key=lambda p: p.application)
    unassigned.sort(key=lambda r: r.application)
    return assignments, unassigned
