"""First placement of a level (engine steps 3 and 4): each application takes the best free booth, then
repair makes room for the ones left out by moving the applications in their way to other free booths.

Longer requests go first within a level: they are the ones that fill booth-days, and a short request
fits in the holes they leave. Moving an application in the way keeps its place, only its booth
changes; the booths tried are counted (Limits.room_tries) so a month-long site does not try millions.
"""

from __future__ import annotations

from .limits import Budget, Limits
from .masks import bits
from .state import State


def place_in_order(s: State, members: list[int]) -> None:
    """Each of the level's applications, in members' order, takes the best free booth (State.find)
    while its category group's quota has room for its days."""
    failed: set[tuple[int, int]] = set()  # (needs, days) without a free booth: nothing frees one here
    for a in members:
        key = (s.app_needs[a], s.app_days[a])
        if key in failed or not s.quota_ok(a):
            continue
        if any(s.day_free[d] == 0 for d in bits(key[1])):
            failed.add(key)
            continue
        b = s.find(a)
        if b >= 0:
            s.place(a, b)
        else:
            failed.add(key)


def repair(s: State, members: list[int], limits: Limits) -> None:
    """Up to three rounds of making room for the level's unplaced applications, while the booths
    tried for the level last."""
    tries = Budget(limits.room_tries)
    for _ in range(3):
        repaired = _repair(s, [a for a in members if s.booth_of[a] < 0], tries)
        if not repaired:
            break


def _repair(s: State, unplaced: list[int], tries: Budget) -> bool:
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
        if any(s.day_free[d] == 0 for d in bits(s.app_days[a])):
            hopeless.add(key)
            continue
        if tries.left <= 0:
            break
        if _make_room(s, a, tries):
            changed = True
            hopeless.clear()
        else:
            hopeless.add(key)
    return changed


def _make_room(s: State, a: int, tries: Budget) -> bool:
    """a takes a booth whose applications in the way all find other free booths."""
    days = s.app_days[a]
    cannot_move: set[tuple[int, int]] = set()
    for b in s.booths_of_classes(s.compatible(s.app_needs[a], days)):
        tries.left -= 1
        if tries.left < 0:
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
