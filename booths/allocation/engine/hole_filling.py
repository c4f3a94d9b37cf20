"""Hole filling (engine step 5): every booth-day still free is a hole, filled from the level's waiting
applications, first as the booths are, then by ejection chains.

A chain lets a waiting request that covers a hole and more of the booth's days take the booth: the
applications in its way move to a free booth or, for a higher level, to a booth where one
application of this level covering their days gives way; the days freed on both booths are filled
again, and the chain stands only when this level gains booth-days (a higher level never loses any)
and the quota holds. Candidates are tried by the most hole days covered, then the fewest days freed
outside the request, then the fewest higher-level moves. The work is counted in steps shared by all
levels (Limits.hole_steps), chains per booth and hosts per chain, never timed, so the result does not
depend on the machine.
"""

from __future__ import annotations

from collections import defaultdict

from .limits import Budget, Limits
from .state import State

# A booth search counts as this many steps.
_FIND_COST = 50
# A place or unplace in a chain (and its undoing) counts as this many steps.
_MOVE_COST = 20
# Free days up to which a refill looks at their subsets rather than at every pool.
_SUBSETS = 7


def fill_holes(s: State, level: int, members: list[int], budget: Budget, limits: Limits) -> None:
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
        while improved and budget.left > 0:
            improved = False
            for b in range(len(s.booths)):
                if s.avail[b] & ~s.occ[b] == 0:
                    continue
                if refill(s, b, budget):
                    improved = True
                if s.avail[b] & ~s.occ[b] and _chain(s, b, level, budget, limits):
                    improved = True
                if budget.left <= 0:
                    break
    finally:
        s.pools = None
    s.log.clear()


def refill(s: State, b: int, budget: Budget) -> bool:
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
            budget.left -= 1
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


def _chain(s: State, b: int, level: int, budget: Budget, limits: Limits) -> bool:
    """One ejection chain into booth b's free days; True when it stood (the level gained)."""
    free = s.avail[b] & ~s.occ[b]
    feat, avail = s.feat[b], s.avail[b]
    occupants = [(s.app_days[x], s.size[x], s.apps[x].priority > level) for x in s.occupants[b]]
    candidates = []
    for key in s.pool_keys:
        needs, days, _group = key
        if not days & free or days & ~avail or needs & ~feat or not s.pools.get(key):
            continue
        budget.left -= 1
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
        if budget.left <= 0 or tried >= limits.chain_tries:
            return False
        pool = s.pools.get(key)
        if not pool:
            continue
        days = key[1]
        in_way = [x for x in s.occupants[b] if s.app_days[x] & days]
        if any(s.pinned[x] or s.apps[x].priority < level for x in in_way):
            continue
        u = pool[0]
        if not s.quota_ok(u, s.freed(u, in_way)):
            continue
        tried += 1
        first_hosts: list[int] = []  # the same for every choice: the state is undone between them
        for choice in range(limits.chain_hosts):
            budget.left -= 1 + len(in_way)
            outcome = _try_chain(s, b, u, in_way, level, choice, first_hosts, budget, limits.chain_hosts)
            if outcome is None:
                return True
            if not outcome:
                break  # no other host to try
    return False


def _try_chain(
    s: State,
    b: int,
    u: int,
    in_way: list[int],
    level: int,
    choice: int,
    first_hosts: list[int],
    budget: Budget,
    count: int,
) -> bool | None:
    """u takes b, in_way move (the first one needing a host takes host number choice; the count
    hosts found for it are kept in first_hosts for the next choices).

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
            budget.left -= _FIND_COST
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
                first_hosts.extend(_hosts(s, x, level, b, budget, count))
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
    refill(s, b, budget)
    for q in hosts:
        refill(s, q, budget)
    budget.left -= _MOVE_COST * (len(s.log) - mark)
    if s.level_days[level] > before and s.within_quota(s.apps[u].category_group):
        return None
    s.undo(mark)
    return more


def _hosts(s: State, x: int, level: int, skip: int, budget: Budget, count: int) -> list[int]:
    """Up to count booths for x (of a higher level) where one application of this level covers x's
    days and gives way (the caller fills what it leaves). First those whose leftover days some
    waiting application asks for exactly, then the others; shortest cover first, one per pattern."""
    days, needs = s.app_days[x], s.app_needs[x]
    good, other = [], []
    for cover in s.supersets(days, level):
        budget.left -= 1
        for y in s.by_days.get((level, cover), ()):
            budget.left -= 1
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
