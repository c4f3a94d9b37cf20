"""The booth allocation engine: a pure function from an instance to assignments, with reasons.

No Django and no ORM here: plain dataclasses in, plain dataclasses out, so the same code serves the
database (booths.allocation.adapter), standalone instances (manage.py allocate --instance) and bench/.

How it works (ALLOCATION_INSTANCE.md has the rules it keeps):
1. Lottery. The applications are sorted by id and shuffled with random.Random(seed).shuffle; an
   application's lottery rank is its 1-based position in that list among applications of its own
   priority. Anyone with the instance and the seed can re-run it.
2. Pins are placed first, on their booths; their booth-days count toward their category group's
   quota (a pin is never dropped for a quota).
3. Priority levels are filled from the highest down. Within a level, requests for more days come
   first (they are the ones that fill booth-days; a short request fits in the holes they leave),
   then the lottery rank. An application whose category group's quota has no room for its days is
   skipped (quotas: floor(max percent × the booths' available days / 100) booth-days per group).
   Each application takes a booth that is free on all its days, has its needs and, in that order:
   has the fewest features it does not need (water booths stay for those who need water); leaves
   free days that some waiting application asks for exactly, and then the fewest of them (tight
   packing) - or, when nothing waiting asks for exactly those days, as many as possible (a long
   run that a long request fills, rather than a stranded day); matches its preferred zones and
   types; has no neighbour of the same category on its days; has neighbours of its support
   company; has no neighbour from its county (counties spread); then the first one met (plan
   order within its class and busy days; up to four booths per zone and type are compared).
   Booths with the same features and availability form classes; within a class, booths with the
   same busy days are interchangeable for booth-days, so the search looks at classes × busy-day
   patterns, not at every booth.
4. Repair. An application of the level left without a booth may still get one when the
   applications in its way on some booth can move to other free booths (they keep their place,
   only the booth changes).
5. Hole filling. Every booth-day still free is a hole. First what fits in it as it is (the
   longest waiting request, then the one with more needs, then the county with fewer places so
   far, then the lottery). Then ejection chains: a waiting request that covers the hole and more of
   the booth's days takes the booth; the applications in its way move to a free booth or, for a
   higher level, to a booth where one application of this level covering their days gives way; the
   days freed on both booths are filled again; the chain stands only when this level gains
   booth-days (a higher level never loses any) and the quota holds. Candidates are tried by the
   most hole days covered, then the fewest days freed outside the request, then the fewest
   higher-level moves. The work is capped by counts (chains per booth, hosts per chain, steps per
   level), never by a clock, so the result does not depend on the machine.
   Then rehoming, where the higher levels' layout decides what is left (above the lowest level
   only while some of the level waits, with a fifth of the budget): for a booth, some of its
   higher-level applications move to other booths where only this level (or nothing) holds their
   days, and the booths' free days are tiled again, exactly (a bitmask DP over the days) from the
   waiting applications of the level and the ones that gave way; or one application of the level
   is pulled from another booth D into a booth's free days (D tiled again, possibly pulling one
   more from a third booth). A move stands only when the level gains booth-days; the higher
   levels keep every application (only booths change), though a moved one may lose a preferred
   zone or neighbour (booth-days come before preferences). Capped by a count.
   Last, while some of the level waits, a plateau search: a higher-level application and the
   ones in its way on another booth swap booths, both booths are tiled again, and the swap stands
   when the level keeps or gains booth-days and the moved applications miss no more preferences
   than before. Walking across equal layouts reaches better ones that no single gaining move
   does (on 10-day instances, 1-4% more booth-days for the level). Counted tries drawn by a
   seeded lottery; all undone when the level gained nothing.
6. Class re-planning, while some of the level waits. Booths with the same features and the same
   days open (pins aside) are interchangeable, so a plan says how many booths of each class hold
   each configuration: a set of pieces (needs, days) with disjoint days, some the higher levels'
   applications, the rest this level's. booths.allocation.repack finds the plan
   that gives the level the most booth-days (column generation over configurations, HiGHS LP and
   a node-capped MILP, counted rounds, no clock). Up to _TOGETHER (200) booths all classes are
   planned in one model, so a higher application may also change class, and a higher level with
   applications waiting may exchange some of its placed ones for them as long as it keeps its
   booth-days; above, class by class; booths open on more than repack.DAYS (12) days are left as
   they are. On ten-day instances a level's last booth-days depend on which applications share
   a booth, which moves of one or two booths do not reach (200 × 40 × 10: level 1 from 242 and
   205 to the exact 247 and 213, and with the exchange level 0 from 53 and 29 to the exact 54
   and 31; large: the lowest level +4 to +38 booth-days). The plan is laid out (booths holding
   one of its configurations keep it), days still free on the changed booths take what fits, and
   it stands only when the level gains and no higher level loses.
7. Priority guard. While an unplaced application could take a booth by displacing only applications
   of lower priority (no pins), with its quota counting what they give back, it does; the
   displaced ones look for another free booth.
8. Exact solve. On a small instance (booths.allocation.exact.PAIRS application-booth pairs at
   most) the lexicographic optimum is solved exactly (HiGHS MILP, a node cap, no clock) and replaces
   the placement when some level gains booth-days before any level loses one: on small ten-day
   instances the steps above miss a level's optimum by a booth-day or more on a third of them.
9. Every unplaced application gets a code (no_booth_with_needs, no_booth_on_days, quota_full,
   booths_full_on_days) and the figures for its reason; every placed one the figures for why that
   booth.
Sites open for weeks: the searches walk every subset of a booth's free days (or every superset of
a request's days) only up to _WALK (12) days, and past that look at the day masks actually asked
for or placed; making room tries at most _ROOM_TRIES booths per level, the plateau search stops
after _WANDER_WORK tiling steps and the re-planning after _REPACK_WORK pricing steps. On the
bench's ten-day instances none of these caps is reached (large: the same bytes as without them);
a 30-day site of 3,000 applications and 800 booths takes about 6 s where it ran for minutes.
Measured against the class-model bound in bench/allocation.py (see its docstring for the table).
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from booths.allocation import exact, repack


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
    code: str  # no_booth_with_needs | no_booth_on_days | booths_full_on_days | quota_full
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
# A booth search counts as this many booths looked at.
_FIND_COST = 50
# Steps the hole filling may take (all levels together), and ejection chains tried per booth and round.
_HOLE_BUDGET = 2_000_000
_CHAIN_TRIES = 8
# A place or unplace in a chain (and its undoing) counts as this many steps.
_MOVE_COST = 20
# Free days up to which a refill looks at their subsets rather than at every pool.
_SUBSETS = 7
# Booths tried per level for making room (the bench's ten-day instances try a few thousand at
# most; a month-long site with 800 booths tried a million, 40 s, for 18 placements).
_ROOM_TRIES = 20_000
# Hosts tried for a higher-level application in a chain's way.
_HOSTS = 6
# Days up to which the searches walk every subset of a booth's free days (or every superset of a
# request's days); above, they look only at the day masks requested or placed: a month-long site
# has 2^29 supersets of one day, and walking them took minutes where filtering takes milliseconds.
# (The pull and host searches count a step per subset, so filtering them on shorter sites would
# change where they stop; the tiling's _holding gives the same list either way and filters
# whenever the masks are fewer.)
_WALK = 12


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
        self.holes: dict[int, int] = defaultdict(int)
        for i in range(len(instance.booths)):
            self._add(i)
        self.apps = instance.applications
        self.app_days = [_days_mask(a.days) for a in instance.applications]
        self.app_needs = [self.mask_of(a.needs) for a in instance.applications]
        self.booth_of = [-1] * len(instance.applications)
        self.by_days: dict[tuple[int, int], dict[int, None]] = {}  # placed, by (priority, days)
        self.placed_masks: dict[int, set[int]] = defaultdict(set)  # priority -> days ever placed
        self.log: list[
            tuple[int, int]
        ] = []  # (application, booth) placed, (application, -1 - booth) taken off
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
        for d in _bits(self.app_days[a]):
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
        for d in _bits(self.app_days[a]):
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
        """The day masks that contain days, fewest days first: all of them up to _WALK days beyond
        days, else the ones of the level's placed applications."""
        if (self.all_days & ~days).bit_count() > _WALK:
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
        if any(self.day_free[d] == 0 for d in _bits(days)):
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
                miss = _misses(app, zone, kind)
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
        s.position[a] = position[app.id]
        if app.pinned is not None:
            s.place(a, s.index[app.pinned])

    levels = sorted({a.priority for a in apps}, reverse=True)
    budget = [_HOLE_BUDGET]  # steps of hole filling, for all levels together
    for level in levels:
        members = [a for a, app in enumerate(apps) if app.priority == level and not s.pinned[a]]
        members.sort(key=lambda a: (-len(apps[a].days), position[apps[a].id]))
        failed: set[tuple[int, int]] = set()  # (needs, days) without a free booth: nothing frees one here
        for a in members:
            key = (s.app_needs[a], s.app_days[a])
            if key in failed or not s.quota_ok(a):
                continue
            if any(s.day_free[d] == 0 for d in _bits(key[1])):
                failed.add(key)
                continue
            b = s.find(a)
            if b >= 0:
                s.place(a, b)
            else:
                failed.add(key)
        tries = [_ROOM_TRIES]
        for _ in range(3):
            repaired = _repair(s, [a for a in members if s.booth_of[a] < 0], tries)
            if not repaired:
                break
        _fill_holes(s, level, members, budget)

        if level == levels[-1]:  # the lowest level: its booth-days hang on the higher ones' layout
            _rehome(s, level, members, [_REHOME_BUDGET])
        elif _waits(s, members):
            _rehome(s, level, members, [_REHOME_BUDGET // 5])
        if _waits(s, members):
            _rehome(s, level, members, [0], wander=min(_WANDER, _WANDER_PER_BOOTH * len(s.booths)))
        if _waits(s, members):
            _repack(s, level, members)
    _guard_priorities(s, levels, position)
    _exact(s, levels)

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


def _waits(s: _State, members: list[int]) -> bool:
    """Whether some of these applications is unplaced and its category group's quota has room for
    it (the ones that do not cannot gain a level anything, so the searches for them are skipped)."""
    return any(s.booth_of[a] < 0 and s.quota_ok(a) for a in members)


def _exact(s: _State, levels: list[int]) -> None:
    """On a small instance, the exact lexicographic optimum (booths.allocation.exact) replaces the
    placement when it places more booth-days at some level before any level places fewer."""
    fits: list[list[int]] = []
    pairs = 0
    for a, app in enumerate(s.apps):
        if app.pinned is not None:
            fits.append([s.index[app.pinned]])
        else:
            fits.append(list(s.booths_of_classes(s.compatible(s.app_needs[a], s.app_days[a]))))
        pairs += len(fits[a])
        if pairs > exact.PAIRS:
            return
    count = max(1, len(s.apps))
    pinned_days: dict[str, int] = defaultdict(int)
    for a, app in enumerate(s.apps):
        if s.pinned[a]:
            pinned_days[app.category_group] += s.size[a]
    model = exact.Model(
        days=[app.days for app in s.apps],
        level=[app.priority for app in s.apps],
        fits=fits,
        # preferences met first, then the lottery: under one booth-day in all (see exact.solve)
        bonus=[
            [0.45 * (2 - _misses(app, *s.zt[b])) + 0.1 * (1 - s.position[a] / count) for b in fits[a]]
            for a, app in enumerate(s.apps)
        ],
        pinned=s.pinned,
        group=[app.category_group for app in s.apps],
        room={group: limit - pinned_days[group] for group, limit in s.limit.items()},
    )
    booth = exact.solve(model)
    if booth is None:
        return
    now = [s.level_days[level] for level in levels]
    best = [
        sum(s.size[a] for a in range(len(s.apps)) if booth[a] >= 0 and s.apps[a].priority == level)
        for level in levels
    ]
    if best <= now:
        return
    for a in range(len(s.apps)):
        if s.booth_of[a] >= 0 and not s.pinned[a]:
            s.unplace(a)
    for a in range(len(s.apps)):
        if booth[a] >= 0 and not s.pinned[a]:
            s.place(a, booth[a])
    s.log.clear()


def _repair(s: _State, unplaced: list[int], tries: list[int]) -> bool:
    """Place what fits when the applications in the way move to other booths, while tries (booths
    tried, shared by the calls for a level) last. True if any was placed."""
    changed = False
    hopeless: set[tuple[int, int]] = set()
    for a in unplaced:
        key = (s.app_needs[a], s.app_days[a])
        if key in hopeless or not s.quota_ok(a):
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
        if tries[0] <= 0:
            break
        if _make_room(s, a, tries):
            changed = True
            hopeless.clear()
        else:
            hopeless.add(key)
    return changed


def _make_room(s: _State, a: int, tries: list[int]) -> bool:
    """a takes a booth whose applications in the way all find other free booths."""
    days = s.app_days[a]
    cannot_move: set[tuple[int, int]] = set()
    for b in s.booths_of_classes(s.compatible(s.app_needs[a], days)):
        tries[0] -= 1
        if tries[0] < 0:
            return False
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
                if not moved:  # nothing else moved yet: no booth but b ever takes it in this search
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


def _fill_holes(s: _State, level: int, members: list[int], budget: list[int]) -> None:
    """Fill the booth-days left free with this level's unplaced applications.

    A hole is a free day of a booth. First what fits in it as it is (the longest request first);
    then an ejection chain: an unplaced request that covers the hole and more days of the booth
    takes the booth, the applications in its way move to a free booth, or (for a higher level) in
    place of an application of this level with exactly their days, which gives way, and the booth's
    days left free are filled again. The chain stands only when this level gains booth-days (a
    higher level never loses any). The work is capped by a count of attempts, not by a clock.
    """
    pools: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    for a in members:  # already in order: longest first, then lottery
        if s.booth_of[a] < 0:
            pools[(s.app_needs[a], s.app_days[a], s.apps[a].category_group)].append(a)
    if not pools:
        return
    s.pools, s.level = pools, level
    s.pool_needs = defaultdict(list)
    for needs, days, group in pools:
        s.pool_needs[days].append((needs, group))
    s.pool_keys = sorted(pools)
    try:
        improved = True
        while improved and budget[0] > 0:
            improved = False
            for b in range(len(s.booths)):
                if s.avail[b] & ~s.occ[b] == 0:
                    continue
                if _refill(s, b, budget):
                    improved = True
                if s.avail[b] & ~s.occ[b] and _chain(s, b, level, budget):
                    improved = True
                if budget[0] <= 0:
                    break
    finally:
        s.pools = None
    s.log.clear()


def _refill(s: _State, b: int, budget: list[int]) -> bool:
    """Place unplaced applications of the level in b's free days: the longest fit first."""
    placed = False
    while True:
        free = s.avail[b] & ~s.occ[b]
        if not free:
            return placed
        feat = s.feat[b]
        best, best_key = -1, None
        if free.bit_count() <= _SUBSETS:
            keys = []
            sub = free
            while sub:
                keys.extend((needs, sub, group) for needs, group in s.pool_needs.get(sub, ()))
                sub = (sub - 1) & free
        else:
            keys = s.pools
        for key in keys:
            budget[0] -= 1
            needs, days, _group = key
            pool = s.pools.get(key)
            if not pool or days & ~free or needs & ~feat:
                continue
            a = pool[0]  # the pool shares a group and a size: its first one fits the quota or none does
            if s.quota_ok(a):
                order = (
                    -days.bit_count(),
                    -needs.bit_count(),
                    s.county_placed[s.apps[a].county],
                    s.position[a],
                )
                if best_key is None or order < best_key:
                    best, best_key = a, order
        if best < 0:
            return placed
        s.place(best, b)
        placed = True


def _chain(s: _State, b: int, level: int, budget: list[int]) -> bool:
    """One ejection chain into booth b's free days; True when it stood (the level gained)."""
    free = s.avail[b] & ~s.occ[b]
    feat, avail = s.feat[b], s.avail[b]
    occupants = [(s.app_days[x], s.size[x], s.apps[x].priority > level) for x in s.occupants[b]]
    candidates = []
    for key in s.pool_keys:
        needs, days, _group = key
        if not days & free or days & ~avail or needs & ~feat or not s.pools.get(key):
            continue
        budget[0] -= 1
        # Days it would free outside its own (the booth-days at stake), and moves it needs.
        overhang = higher = 0
        for other, size, high in occupants:
            if other & days:
                overhang += size - (other & days).bit_count()
                higher += high
        covered = (days & free).bit_count()
        candidates.append((-covered, overhang, higher, days.bit_count(), key))
    candidates.sort()
    tried = 0
    for *_order, key in candidates:
        if budget[0] <= 0 or tried >= _CHAIN_TRIES:
            return False
        pool = s.pools.get(key)
        if not pool:
            continue
        days = key[1]
        in_way = [x for x in s.occupants[b] if s.app_days[x] & days]
        if any(s.pinned[x] or s.apps[x].priority < level for x in in_way):
            continue
        u = pool[0]
        if not s.quota_ok(u, _freed(s, u, in_way)):
            continue
        tried += 1
        first_hosts: list[int] = []  # the same for every choice: the state is undone between them
        for choice in range(_HOSTS):
            budget[0] -= 1 + len(in_way)
            outcome = _try_chain(s, b, u, in_way, level, choice, first_hosts, budget)
            if outcome is None:
                return True
            if not outcome:
                break  # no other host to try
    return False


def _try_chain(
    s: _State, b: int, u: int, in_way: list[int], level: int, choice: int, first_hosts: list[int], budget
) -> bool | None:
    """u takes b, in_way move (the first one needing a host takes host number choice; the hosts
    found for it are kept in first_hosts for the next choices).

    None when the level gained (the chain stands); else everything is undone and the result says
    whether another choice of host could be tried.
    """
    before = s.level_days[level]
    mark = len(s.log)
    for x in in_way:
        s.unplace(x)
    s.place(u, b)
    hosts: list[int] = []
    more = False
    for x in sorted(in_way, key=lambda x: (-s.size[x], s.position[x])):
        target = -1
        if s.open_somewhere(s.app_days[x]):
            budget[0] -= _FIND_COST
            target = s.find(x)
        if target >= 0:
            s.place(x, target)
            continue
        if s.apps[x].priority == level:
            continue  # it gives way
        if hosts:
            options, pick = _hosts(s, x, level, b, budget, 1), 0
        else:
            if not first_hosts:
                first_hosts.extend(_hosts(s, x, level, b, budget, _HOSTS))
            options, pick = first_hosts, choice
        if len(options) <= pick:
            s.undo(mark)
            return False
        more = not hosts and len(options) > choice + 1
        target = options[pick]
        for y in [y for y in s.occupants[target] if s.app_days[y] & s.app_days[x]]:
            s.unplace(y)
        s.place(x, target)
        hosts.append(target)
    _refill(s, b, budget)
    for q in hosts:
        _refill(s, q, budget)
    budget[0] -= _MOVE_COST * (len(s.log) - mark)
    if s.level_days[level] > before and s.within_quota(s.apps[u].category_group):
        return None
    s.undo(mark)
    return more


def _hosts(s: _State, x: int, level: int, skip: int, budget: list[int], count: int) -> list[int]:
    """Up to count booths for x (of a higher level) where one application of this level covers x's
    days and gives way (the caller fills what it leaves). First those whose leftover days some
    waiting application asks for exactly, then the others; shortest cover first, one per pattern."""
    days, needs = s.app_days[x], s.app_needs[x]
    good, other = [], []
    for cover in s.supersets(days, level):
        budget[0] -= 1
        for y in s.by_days.get((level, cover), ()):
            budget[0] -= 1
            q = s.booth_of[y]
            if q != skip and not s.pinned[y] and needs & ~s.feat[q] == 0:
                rest = cover & ~days
                if rest == 0 or any(s.pools.get((n, rest, g)) for n, g in s.pool_needs.get(rest, ())):
                    good.append(q)
                    if len(good) >= count:
                        return good
                else:
                    other.append(q)
                    if len(other) >= 3 * count:
                        return (good + other)[:count]
                break
    return (good + other)[:count]


def _freed(s: _State, a: int, leaving: list[int]) -> int:
    """Booth-days of a's category group among the applications leaving."""
    group = s.apps[a].category_group
    return sum(s.size[x] for x in leaving if s.apps[x].category_group == group)


def _guard_priorities(s: _State, levels: list[int], position: dict[str, int]) -> None:
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


def _lower_only_booth(s: _State, a: int) -> int:
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
            if s.quota_ok(a, _freed(s, a, in_way)):
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
            unassigned.append(Refusal(app.id, code, facts))
    assignments.sort(key=lambda p: p.application)
    unassigned.sort(key=lambda r: r.application)
    return assignments, unassigned


# Rehoming (step 5b): work steps, candidate booths per application moved, booths looked at per
# days pattern when pulling an application of the level, and most higher-level applications on a
# booth for which every subset is tried.
_REHOME_BUDGET = 1_000_000
_REHOME_TARGETS = 3
_REHOME_LOOK = 2
_REHOME_SUBSET = 5


def _level_pools(s: _State, members: list[int]):
    """A pool for every (needs, days, category group) of the level, placed or not, holding its
    unplaced applications in members' order (lottery order within a pool); and days -> the (needs,
    group) of its pools. Set as s.pools, the state keeps the pools up to date as it places and
    unplaces the level's applications."""
    pools: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    for a in members:
        pool = pools[(s.app_needs[a], s.app_days[a], s.apps[a].category_group)]
        if s.booth_of[a] < 0:
            pool.append(a)
    by_days: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for needs, days, group in sorted(pools):
        by_days[days].append((needs, group))
    return pools, by_days


def _rehome(s: _State, level: int, members: list[int], budget: list[int], wander: int = 0) -> None:
    """Booths with free days: move some of their higher-level applications to other booths whose
    days are held only by this level (or free), and re-tile the booths' days with this level's
    applications (waiting ones and the ones that gave way), when this level gains booth-days.
    With wander, then that many tries of the plateau search (_wander)."""
    pools, by_days = _level_pools(s, members)
    if not pools:
        return
    s.pools, s.level = pools, level
    feats = sorted(set(s.feat))
    avail_masks: dict[int, set[int]] = {}

    def waiting(m: int) -> tuple[int, ...]:
        """The needs of the pools with days m that have someone waiting."""
        return tuple(n for n, g in by_days.get(m, ()) if pools[(n, m, g)])

    waiting_needs = {m: waiting(m) for m in by_days}  # as last seen by refresh
    for f in feats:  # features -> the days masks some waiting application with fitting needs asks for
        avail_masks[f] = {m for m, needs in waiting_needs.items() if any(n & ~f == 0 for n in needs)}
    memo: dict[int, dict[int, int]] = {f: {} for f in feats}
    by_low: dict[int, dict[int, list[int]]] = {}  # features -> lowest day -> avail_masks, in order
    for f in feats:
        by_low[f] = defaultdict(list)
        for m in sorted(avail_masks[f]):
            by_low[f][m & -m].append(m)

    def tile(f: int, free: int) -> int:
        table = memo[f]
        got = table.get(free)
        if got is not None:
            return got
        if not free:
            return 0
        budget[0] -= 1
        have = avail_masks[f]
        full = free.bit_count()
        if free in have:
            table[free] = full
            return full
        low = free & -free
        rest = free ^ low
        best = 0
        for m in _holding(low, free, have, by_low[f][low]):  # stop at a tiling leaving no day empty
            value = m.bit_count() + tile(f, free ^ m)
            if value > best:
                best = value
                if best == full:
                    break
        if best < full - 1:  # the lowest day left empty: at most full - 1
            best = max(best, tile(f, rest))
        table[free] = best
        return best

    def tile_extra(f: int, free: int, extras: list[int]) -> int:
        """tile, when the masks in extras (each once) may be used as well."""
        extras = [m for m in extras if m & ~free == 0]
        best = tile(f, free)
        for n in range(1, 1 << len(extras)):
            used = size = 0
            for i, m in enumerate(extras):
                if n >> i & 1:
                    if used & m:
                        break
                    used |= m
                    size += m.bit_count()
            else:
                best = max(best, size + tile(f, free & ~used))
        return best

    def hard_mask(b: int) -> int:
        m = 0
        for x in s.occupants[b]:
            if s.pinned[x] or s.apps[x].priority > level:
                m |= s.app_days[x]
        return m

    def soft(b: int) -> list[int]:
        return [x for x in s.occupants[b] if not s.pinned[x] and s.apps[x].priority == level]

    # (class, hard mask) -> booth -> this level's booth-days on it
    groups: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    class_keys: dict[int, dict[int, None]] = defaultdict(dict)
    where: list[tuple[int, int]] = [(0, 0)] * len(s.booths)

    def index(b: int) -> None:
        key = (s.class_of[b], hard_mask(b))
        where[b] = key
        groups[key][b] = sum(s.size[x] for x in soft(b))
        class_keys[key[0]][key[1]] = None

    def unindex(b: int) -> None:
        key = where[b]
        del groups[key][b]
        if not groups[key]:
            del groups[key]
            del class_keys[key[0]][key[1]]

    for b in range(len(s.booths)):
        index(b)

    tcache1: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def targets(x: int, skip: set[int], count: int) -> list[tuple[int, int]]:
        """Up to count (loss, booth) for x: this level's booth-days lost when x moves there."""
        days, needs = s.app_days[x], s.app_needs[x]
        key = (needs, days)
        found = tcache1.get(key)
        if found is None:
            found = []
            for c in s.compatible(needs, days):
                f, av = s.class_feat[c], s.class_avail[c]
                for hard in class_keys[c]:
                    budget[0] -= 1
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
            tcache1[key] = found
        return [t for t in found if t[1] not in skip][:count]

    def fill(b: int) -> None:
        f = s.feat[b]
        while True:
            free = s.avail[b] & ~s.occ[b]
            if not free:
                return
            want = tile(f, free)
            if want == 0:
                return
            choice = _pick(tile, avail_masks[f], by_low[f], f, free, want)
            if choice is None:
                return
            a = _take(s, pools, by_days, f, choice)
            if a < 0:
                return
            s.place(a, b)

    def refresh(masks) -> None:
        fresh = []
        for m in masks:
            needs = waiting(m)
            if waiting_needs.get(m) != needs:
                waiting_needs[m] = needs
                fresh.append(m)
        if not fresh:
            return
        for f in feats:
            changed = False
            for m in fresh:
                now = any(n & ~f == 0 for n in waiting_needs[m])
                if now != (m in avail_masks[f]):
                    changed = True
                    if now:
                        avail_masks[f].add(m)
                        bisect.insort(by_low[f][m & -m], m)
                    else:
                        avail_masks[f].discard(m)
                        by_low[f][m & -m].remove(m)
            if changed:
                memo[f].clear()

    def leaving_loss(b: int, q: int) -> int:
        """This level's booth-days booth b loses when its application q leaves (b tiled again)."""
        own = [s.app_days[y] for y in soft(b) if y != q]
        return groups[where[b]][b] - tile_extra(s.feat[b], s.avail[b] & ~where[b][1], own)

    def pull(A: int, fA: int, nowA: int, freeA: int, best, best_gain: int):
        """A better plan, if any, in which an application of the level placed on another booth D
        moves into A's free days (D tiled again, or D in turn pulling one from a third booth)."""
        region = s.avail[A] & ~hard_mask(A)
        for sub in _touching(freeA, region, s.placed_masks[level]):
            budget[0] -= 1
            placed_here = s.by_days.get((level, sub))
            if placed_here:
                ownA = [s.app_days[y] for y in soft(A)]
                room = sub.bit_count() + tile_extra(fA, region & ~sub, ownA) - nowA
                if room > best_gain:
                    looked = 0
                    for q in placed_here:
                        D = s.booth_of[q]
                        if D == A or s.pinned[q] or s.app_needs[q] & ~fA:
                            continue
                        looked += 1
                        if looked > _REHOME_LOOK:
                            break
                        budget[0] -= 1
                        gain = room - leaving_loss(D, q)
                        if gain > best_gain:
                            best, best_gain = [(q, A)], gain
                        elif gain == best_gain and gain >= 0:
                            further = pull_on(A, D, q, gain, best_gain)
                            if further is not None:
                                best, best_gain = [(q, A), (further[0], D)], further[1]
        return best, best_gain

    def pull_on(A: int, D: int, q: int, gain: int, best_gain: int) -> tuple[int, int] | None:
        """D, having given q to A, takes back what it loses with one application pulled from a third
        booth E: (that application, the plan's gain) when the plan beats best_gain."""
        regionD = s.avail[D] & ~where[D][1]
        fD = s.feat[D]
        ownD = [s.app_days[y] for y in soft(D) if y != q]
        baseD = tile_extra(fD, regionD, ownD)
        dq = s.app_days[q]
        for sub in _touching(dq, regionD, s.placed_masks[level]):
            budget[0] -= 1
            there = s.by_days.get((level, sub))
            if there:
                room = sub.bit_count() + tile_extra(fD, regionD & ~sub, ownD) - baseD
                if room > 0:
                    seen = 0
                    for q2 in there:
                        E = s.booth_of[q2]
                        if E in (A, D) or q2 == q or s.pinned[q2] or s.app_needs[q2] & ~fD:
                            continue
                        seen += 1
                        if seen > _REHOME_LOOK:
                            break
                        budget[0] -= 1
                        total = gain + room - leaving_loss(E, q2)
                        if total > best_gain:
                            return q2, total
        return None

    try:
        improved = True
        while improved and budget[0] > 0:
            improved = False
            for A in range(len(s.booths)):
                if budget[0] <= 0:
                    break
                hi = [x for x in s.occupants[A] if not s.pinned[x] and s.apps[x].priority > level]
                if len(hi) > _REHOME_SUBSET:
                    continue
                fixed = 0
                for x in s.occupants[A]:
                    if s.pinned[x]:
                        fixed |= s.app_days[x]
                nowA = sum(s.size[x] for x in soft(A))
                fA = s.feat[A]
                options = {x: targets(x, {A}, _REHOME_TARGETS) for x in hi}
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
                    best, best_gain = pull(A, fA, nowA, freeA, best, best_gain)
                if best is None:
                    continue
                before = s.level_days[level]
                mark = len(s.log)
                touched = list(dict.fromkeys([A] + [B for _, B in best] + [s.booth_of[x] for x, _ in best]))
                for b in touched:
                    unindex(b)
                masks = set()
                for b in touched:
                    for y in soft(b):
                        masks.add(s.app_days[y])
                        s.unplace(y)
                for x, _target in best:
                    if s.booth_of[x] >= 0:
                        s.unplace(x)
                for x, B in best:
                    s.place(x, B)
                refresh(masks)
                for b in touched:
                    fill(b)
                    masks.update(s.app_days[y] for y in soft(b))
                    refresh(masks)
                budget[0] -= 20 * (len(s.log) - mark)
                if s.level_days[level] > before and all(
                    s.within_quota(s.apps[y].category_group) for y, _ in s.log[mark:]
                ):
                    improved = True
                    tcache1.clear()
                else:
                    s.undo(mark)
                    refresh(masks)
                for b in touched:
                    index(b)
        if wander:
            _wander(s, level, wander, budget, hard_mask, soft, fill, refresh, tile_extra)
    finally:
        s.pools = None
    s.log.clear()


# Plateau search: tries at most, per booth, hosts drawn per try, tries without a gain; tiling
# steps at most (large ten-day instances take about 100,000; a month-long site's tilings are
# costlier, 5 million and 12 s on 3,000 × 800 × 30 without the cap).
_WANDER = 20_000
_WANDER_PER_BOOTH = 1000
_WANDER_LOOK = 30
_WANDER_STALL = 10_000
_WANDER_WORK = 1_000_000


def _wander(s: _State, level: int, tries: int, budget, hard_mask, soft, fill, refresh, tile_extra) -> None:
    """Plateau search for a level with applications waiting, after rehoming ran out of gains.

    A higher-level application h on booth X moves to booth Y, and Y's higher-level applications in
    its way move to X; both booths are tiled again from this level. The move stands when the level
    gains booth-days, or keeps them and the moved applications miss none of their preferences more
    than before: the search walks across equal layouts to reach better ones (and on the way puts
    higher-level applications in their preferred zones). X is mostly a booth with free days; h and
    Y are drawn by a random.Random seeded with the instance's seed; the tries are counted, not
    timed, so the same input gives the same result; so are the tiling steps (budget), at most
    _WANDER_WORK. If the level gained nothing, all is undone."""
    rng = random.Random(s.seed)
    floor = budget[0] - _WANDER_WORK
    start = best = s.level_days[level]
    last_gain = 0
    mark0 = len(s.log)
    by_class: dict[int, list[int]] = defaultdict(list)
    for b in range(len(s.booths)):
        by_class[s.class_of[b]].append(b)
    homes: dict[tuple[int, int], list[int]] = {}  # (needs, days) -> booths that could hold them
    holes: list[int] = []
    for n in range(tries):
        if s.level_days[level] > best:
            best, last_gain = s.level_days[level], n
        elif n - last_gain > min(_WANDER_STALL, tries // 2) or budget[0] < floor:
            break
        if n % 64 == 0:
            holes = [b for b in range(len(s.booths)) if s.avail[b] & ~s.occ[b]]
            if not holes:
                break
        X = holes[rng.randrange(len(holes))] if rng.random() < 0.7 else rng.randrange(len(s.booths))
        his = [x for x in s.occupants[X] if not s.pinned[x] and s.apps[x].priority > level]
        if not his:
            continue
        h = his[rng.randrange(len(his))]
        dh, nh = s.app_days[h], s.app_needs[h]
        cands = homes.get((nh, dh))
        if cands is None:
            cands = homes[(nh, dh)] = [b for c in s.compatible(nh, dh) for b in by_class[c]]
        found = _wander_host(s, level, rng, h, X, cands, hard_mask)
        if found is None:
            continue
        Y, way, union = found
        ownX = [s.app_days[y] for y in soft(X)]
        ownY = [s.app_days[y] for y in soft(Y)]
        now = sum(m.bit_count() for m in ownX) + sum(m.bit_count() for m in ownY)
        freeX = s.avail[X] & ~((hard_mask(X) & ~dh) | union)
        freeY = s.avail[Y] & ~((hard_mask(Y) & ~union) | dh)
        if tile_extra(s.feat[X], freeX, ownX) + tile_extra(s.feat[Y], freeY, ownY) < now:
            continue  # the tiling cannot keep this level's booth-days: not worth trying
        before = s.level_days[level]
        missed = _misses(s.apps[h], *s.zt[X]) + sum(_misses(s.apps[g], *s.zt[Y]) for g in way)
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
        worse = _misses(s.apps[h], *s.zt[Y]) + sum(_misses(s.apps[g], *s.zt[X]) for g in way) > missed
        quota = all(s.within_quota(s.apps[y].category_group) for y, _ in s.log[mark:])
        if gained < 0 or (gained == 0 and worse) or not quota:
            s.undo(mark)
            refresh(masks)
    if s.level_days[level] <= start:
        masks = {s.app_days[a] for a, _ in s.log[mark0:]}
        s.undo(mark0)
        refresh(masks)


def _wander_host(s: _State, level: int, rng, h: int, X: int, cands: list[int], hard_mask):
    """A booth Y (drawn from cands) for h, whose higher-level applications in h's way fit in X once
    h has left it: (Y, those applications, their days), or None after _WANDER_LOOK draws."""
    dh = s.app_days[h]
    room = s.avail[X] & ~(hard_mask(X) & ~dh)
    fx = s.feat[X]
    for _ in range(_WANDER_LOOK):
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


def _misses(app: ApplicationIn, zone: str, kind: str) -> int:
    """How many of the application's preferences (zone, type) a booth in zone, of kind, misses."""
    return (bool(app.prefer_zones) and zone not in app.prefer_zones) + (
        bool(app.prefer_types) and kind not in app.prefer_types
    )


def _pick(tile, have, lows, f, free, want):
    """A days mask inside free that starts a tiling worth want (the lowest day may stay empty)."""
    low = free & -free
    if tile(f, free ^ low) == want:
        return _pick(tile, have, lows, f, free ^ low, want)
    for m in _holding(low, free, have, lows[low]):
        if m.bit_count() + tile(f, free ^ m) == want:
            return m
    return None


def _holding(low: int, region: int, have, listed: list[int]) -> Iterator[int]:
    """The masks of have with low ⊆ m ⊆ region (low: region's lowest day), highest first. listed:
    the masks of have whose lowest day is low, in order; they are filtered, or region's subsets
    walked when those are fewer (on a month-long site, 2^29 of them)."""
    rest = region & ~low
    if len(listed) < 1 << rest.bit_count():
        for m in reversed(listed):
            if not m & ~region:
                yield m
        return
    sub = rest
    while True:
        m = sub | low
        if m in have:
            yield m
        if sub == 0:
            return
        sub = (sub - 1) & rest


def _touching(touch: int, region: int, masks) -> Iterator[int]:
    """The day masks inside region that share a day with touch, highest first: every one when
    region has at most _WALK days, else only those in masks."""
    if region.bit_count() > _WALK:
        yield from sorted((m for m in masks if m & touch and not m & ~region), reverse=True)
        return
    sub = region
    while sub:
        if sub & touch:
            yield sub
        sub = (sub - 1) & region


def _take(s, pools, by_days, f, m) -> int:
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


def _repack(s: _State, level: int, members: list[int]) -> None:
    """Classes of interchangeable booths (same features, same days open beside pins) re-planned by
    configurations (booths.allocation.repack): which higher-level applications share a booth, and
    which of this level's fill it. Up to _TOGETHER booths, all classes in one model, so a higher
    application may change class, or give way to a waiting one of its level (spare) when that
    level keeps its booth-days; above, class by class (one model for all is too slow there) and
    every higher application stays. A plan is laid out (booths holding one of its configurations
    keep it; the others take the rest, the one closest to what they held first) and stands only
    when this level gains booth-days, no higher level loses any and the quotas hold."""
    by_class: dict[tuple[int, int], list[int]] = defaultdict(list)
    for b in range(len(s.booths)):
        pins = 0
        for x in s.occupants[b]:
            if s.pinned[x]:
                pins |= s.app_days[x]
        open_days = s.avail[b] & ~pins
        if 0 < open_days.bit_count() <= repack.DAYS:
            by_class[(s.feat[b], open_days)].append(b)
    keys = sorted(by_class, key=lambda key: (-len(by_class[key]), key))
    together = len(s.booths) <= _TOGETHER
    if together:
        batches = [keys]
    else:  # one booth alone is already tiled exactly by the hole filling
        batches = [[key] for key in keys if len(by_class[key]) > 1]
    pools, by_days = _level_pools(s, members)
    s.pools, s.level, s.pool_needs = pools, level, by_days
    work = [_REPACK_WORK]
    try:
        for batch in batches:
            if work[0] <= 0:
                break
            booths = [b for key in batch for b in by_class[key]]
            if not any(s.avail[b] & ~s.occ[b] for b in booths):
                continue
            newcomers: Counter[repack.Piece] = Counter()  # waiting ones that fit here and their quota
            for (needs, days, _group), pool in pools.items():
                if pool and s.quota_ok(pool[0]) and any(not needs & ~f and not days & ~o for f, o in batch):
                    newcomers[(needs if together else 0, days)] += len(pool)
            if not newcomers:
                continue  # the level gains only by placing one more
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
            pieces = _Pieces(together, frozenset(s.apps[a].priority for a in waiting))
            spare: dict[repack.Higher, list[int]] = defaultdict(list)  # lottery order
            for a in waiting:
                spare[pieces.higher(s, a)].append(a)
                higher[pieces.higher(s, a)] += 1
            for f, open_days in batch:
                now: Counter[repack.Config] = Counter(
                    _config(s, b, level, pieces) for b in by_class[(f, open_days)]
                )
                classes.append(repack.BoothClass(f, open_days, len(by_class[(f, open_days)]), now))
                for (hs, ls), n in now.items():
                    for piece in hs:
                        higher[piece] += n
                    for piece in ls:
                        supply[piece] += n
            plans = repack.best_plan(classes, higher, supply, work)
            if plans is None:
                continue
            before = Counter(s.level_days)
            mark = len(s.log)
            _lay_out(s, level, [by_class[key] for key in batch], plans, by_days, pieces, spare)
            quotas = all(s.within_quota(s.apps[a].category_group) for a, _b in s.log[mark:])
            kept = all(s.level_days[x] >= days for x, days in before.items() if x > level)
            if s.level_days[level] <= before[level] or not quotas or not kept:
                s.undo(mark)
    finally:
        s.pools = None
    s.log.clear()


# Booths up to which all classes are re-planned in one model.
_TOGETHER = 200
# Steps of the pricing DP per level (large ten-day instances take 2.5-3.6 million in all; twelve
# days, where each step costs 16 times as much, took 53 million and 8 s).
_REPACK_WORK = 20_000_000


@dataclass(frozen=True)
class _Pieces:
    """How re-planning names an application: its piece (needs, days), or (0, days) when not typed
    (within one class needs do not matter, and fewer kinds make a smaller model). A higher
    application's piece carries its level when that level has applications waiting to take its
    place (open); the other higher levels' pieces are alike, -1, and each of them stays."""

    typed: bool
    open: frozenset[int]

    def mine(self, s: _State, x: int) -> repack.Piece:
        return (s.app_needs[x] if self.typed else 0, s.app_days[x])

    def higher(self, s: _State, x: int) -> repack.Higher:
        level = s.apps[x].priority
        return (*self.mine(s, x), level if level in self.open else -1)


def _config(s: _State, b: int, level: int, pieces: _Pieces) -> repack.Config:
    """What booth b holds beside pins: (higher levels' pieces, this level's)."""
    higher, mine = [], []
    for x in s.occupants[b]:
        if not s.pinned[x]:
            if s.apps[x].priority > level:
                higher.append(pieces.higher(s, x))
            else:
                mine.append(pieces.mine(s, x))
    return tuple(sorted(higher)), tuple(sorted(mine))


def _lay_out(s: _State, level: int, classes: list[list[int]], plans, by_days, pieces: _Pieces, spare) -> None:
    """Put each class's plan on its booths (the level's pools open in s.pools): a booth that holds
    one of its configurations keeps it; the others are emptied (pins stay) and each takes the
    remaining configuration sharing most pieces with what it held: the higher applications first
    (they already count in their quotas), its own before displaced ones (fewest preferences missed
    there, then the lottery), else a waiting one of its level from spare (lottery order); then
    this level's, its own first, else a waiting one (_take) with the needs the plan counted on
    when typed. Days still free on those booths are filled last as
    in the hole filling (_refill): the plan is the best over the configurations found, not all."""
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
    displaced: dict[repack.Higher, list[int]] = defaultdict(list)  # higher ones off their booth
    for b, _left in redo:
        for x in held[b]:
            if not s.pinned[x]:
                s.unplace(x)
                if s.apps[x].priority > level:
                    displaced[pieces.higher(s, x)].append(x)
    given: dict[int, tuple[repack.Piece, ...]] = {}  # booth -> the level's pieces it is to take
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
                    key=lambda x: (x not in held[b], _misses(s.apps[x], *s.zt[b]), s.position[x]),
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
                a = _take(s, s.pools, by_days, needs, days)
            if a < 0:
                a = _take(s, s.pools, by_days, s.feat[b], days)
            if a >= 0:
                s.place(a, b)
    for b, _left in redo:
        _refill(s, b, [_HOLE_BUDGET])
