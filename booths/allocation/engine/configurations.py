"""The best contents for classes of interchangeable booths, by configurations (engine step 6, the
solver behind booths.allocation.engine.replanning).

On ten-day instances a level's last booth-days hang on how the higher levels' applications are
grouped on booths: a higher application covering days 2-8 leaves days 0, 1 and 9, which only short
requests fill, and those run out. The engine's moves change one or two booths at a time; this
module re-plans whole classes of interchangeable booths (same features, same days open) at once.

A piece is an application's (needs, days) as bit masks. A configuration is what one booth holds: a
set of pieces with pairwise disjoint days, some of them higher levels' applications and the rest the
level's. The model picks how many booths of each class take each configuration so that every
higher application is on some booth that has its needs (or, at a higher level with applications
waiting, that level keeps at least its booth-days, so it may exchange placed applications for
waiting ones), the level takes no more pieces of a kind than it has (waiting or already placed),
no class uses more booths than it has, and the level's booth-days are the most: Gilmore-Gomory
column generation (HiGHS solves the LP over the configurations found so far; its duals price new
ones, the best per class by a DP over the subsets of the class's open days), then a node-capped
MILP over the configurations found. The work is counted in rounds, pricing steps and nodes
(Limits.replan_*), never in seconds, so the result is the same on a second run.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

from .limits import Budget, Limits

Piece = tuple[int, int]  # (needs, days)
Higher = tuple[int, int, int]  # a higher level's piece: (needs, days, level)
Config = tuple[tuple[Higher, ...], tuple[Piece, ...]]  # (higher levels' pieces, the level's), sorted
EMPTY: Config = ((), ())


@dataclass(frozen=True)
class BoothClass:
    features: int
    open_days: int  # at most Limits.replan_days of them
    booths: int
    now: Counter  # Config -> booths holding it now (they add up to booths)

    def fits(self, piece: Piece | Higher) -> bool:
        needs, days = piece[0], piece[1]
        return not needs & ~self.features and not days & ~self.open_days


def best_plan(
    classes: list[BoothClass], higher: Counter, supply: Counter, work: Budget, limits: Limits
) -> list[Counter] | None:
    """Per class, how many of its booths take each configuration (EMPTY included), when that gives
    the level more booth-days than the configurations held now; else None.

    higher: higher piece -> the higher applications with it that may be on these booths: the ones on
    them now and any waiting ones. A higher level with none waiting keeps every application (each in
    a class that fits it); one with some waiting may exchange applications, but keeps at least the
    booth-days it holds on these booths now. supply: piece -> the level's applications with it that
    may be placed (waiting, or now on these classes' booths). work: steps of the pricing DP left,
    spent here; when none are left the plan is made from the configurations found so far."""
    current = sum(_days(c[1]) * n for k in classes for c, n in k.now.items())
    held: Counter = Counter()  # the higher pieces on these booths now
    for k in classes:
        for (hs, _ls), n in k.now.items():
            for piece in hs:
                held[piece] += n
    if not supply:
        return None
    if len(classes) == 1 and held == higher and _pooled(classes[0], higher, supply) < current + 1 - 1e-6:
        return None  # not even the day-by-day bound leaves room for one more booth-day (cheap to
        # know for one class; over many, that LP costs as much as the model)
    master = _Master(classes, higher, supply, held)
    for k, booth_class in enumerate(classes):
        for config in sorted(booth_class.now):
            master.add(k, config)
    start = len(master.columns)
    res = master.generate(classes, work, limits)
    if res is None:
        return None
    return master.integer_plan(classes, res, start, current, limits)


class _Master:
    """The master problem of the column generation. Rows: booths per class (<=); higher pieces, ==
    at a level with none waiting (each stays), else <=; the level's pieces (<=); minus the
    booth-days of each higher level with someone waiting (<=: it keeps at least what it holds now).
    A column per (class, configuration) found, worth the level's booth-days in it."""

    def __init__(self, classes: list[BoothClass], higher: Counter, supply: Counter, held: Counter) -> None:
        import numpy as np

        self.high, self.low = high, low = sorted(higher), sorted(supply)
        self.levels = levels = sorted({p[2] for p in high if higher[p] > held[p]})  # someone waiting
        held_days = Counter()
        for (_needs, days, level), n in held.items():
            held_days[level] += days.bit_count() * n
        self.n_classes = n_classes = len(classes)
        row = {("h", p): n_classes + i for i, p in enumerate(high)}
        row.update({("l", p): n_classes + len(high) + i for i, p in enumerate(low)})
        row.update({("v", level): n_classes + len(high) + len(low) + i for i, level in enumerate(levels)})
        self.row = row
        self.upper = upper = np.concatenate(
            [
                [k.booths for k in classes],
                [higher[p] for p in high],
                [supply[p] for p in low],
                [-held_days[level] for level in levels],
            ]
        ).astype(float)
        self.eq = eq = np.zeros(len(upper), dtype=bool)
        eq[n_classes : n_classes + len(high)] = [p[2] not in levels for p in high]
        self.lower = np.where(eq, upper, -np.inf)
        self.columns: list[tuple[int, Config]] = []
        self.seen: set[tuple[int, Config]] = set()
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.data: list[float] = []
        self.values: list[int] = []

    def add(self, k: int, config: Config) -> None:
        if (k, config) in self.seen:
            return
        row = self.row
        j = len(self.columns)
        self.seen.add((k, config))
        self.columns.append((k, config))
        hs, ls = config
        entries = [(k, 1.0)] + [(row[("h", p)], 1.0) for p in hs] + [(row[("l", p)], 1.0) for p in ls]
        entries += [(row[("v", p[2])], -float(p[1].bit_count())) for p in hs if ("v", p[2]) in row]
        for r, v in entries:
            self.rows.append(r)
            self.cols.append(j)
            self.data.append(v)
        self.values.append(_days(ls))

    def matrix(self):
        from scipy.sparse import csc_matrix

        return csc_matrix((self.data, (self.rows, self.cols)), shape=(len(self.upper), len(self.columns)))

    def generate(self, classes: list[BoothClass], work: Budget, limits: Limits):
        """Rounds of pricing: the LP over the columns so far, then each class's most valuable
        configurations at its duals join, until none prices above a booth, the rounds or the work
        run out. The last LP's result, or None when an LP failed."""
        import numpy as np
        from scipy.optimize import linprog

        eq, upper, n_classes, high, low = self.eq, self.upper, self.n_classes, self.high, self.low
        pricers = [_Pricer(booth_class, high, low) for booth_class in classes]
        for _ in range(limits.replan_rounds):
            a = self.matrix()
            res = linprog(
                -np.array(self.values, dtype=float),
                A_ub=a[~eq],
                b_ub=upper[~eq],
                A_eq=a[eq] if eq.any() else None,
                b_eq=upper[eq] if eq.any() else None,
                bounds=(0, None),
                method="highs",
            )
            if res.status != 0:
                return None
            dual = np.zeros(len(upper))  # each row's price per unit
            dual[~eq] = -res.ineqlin.marginals
            if eq.any():
                dual[eq] = -res.eqlin.marginals
            dual_high = dict(zip(high, dual[n_classes : n_classes + len(high)], strict=True))
            dual_low = dict(
                zip(low, dual[n_classes + len(high) : n_classes + len(high) + len(low)], strict=True)
            )
            dual_level = Counter(
                dict(zip(self.levels, dual[n_classes + len(high) + len(low) :], strict=True))
            )
            fresh = sorted(
                (dual[k] - worth, k, config)
                for k, pricer in enumerate(pricers)
                for worth, config in pricer.best(dual_high, dual_low, dual_level, limits.replan_new, work)
                if worth - dual[k] > 1e-6 and (k, config) not in self.seen
            )
            if not fresh:
                break  # no configuration prices above a booth: the LP is optimal
            for _cost, k, config in fresh[: limits.replan_fresh]:  # the most valuable over all classes
                self.add(k, config)  # (the LP stays small)
            if work.left <= 0:
                break
        return res

    def integer_plan(self, classes: list[BoothClass], res, start: int, current: int, limits: Limits):
        """The MILP over the configurations held now (the first start columns, a feasible start) and
        the ones the last LP uses; over several classes and up to Limits.replan_all configurations,
        over every one found: there the LP's own miss integer plans that others give (200 × 40 × 10:
        level 1 at 246 for 247). For one class the LP's are enough and the MILP much faster (large:
        0.1 s against 1.3 s); over thousands of configurations and a hundred classes the MILP's
        every node is slow (25-45 s). The plans, or None when they do not gain."""
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp

        columns = self.columns
        keep = np.zeros(len(columns), dtype=bool)
        keep[:start] = True
        keep[: len(res.x)] |= res.x > 1e-9
        if len(classes) > 1 and len(columns) <= limits.replan_all:
            keep[:] = True
        chosen = np.nonzero(keep)[0]
        res = milp(
            -np.array(self.values, dtype=float)[keep],
            constraints=LinearConstraint(self.matrix()[:, keep], self.lower, self.upper),
            integrality=np.ones(len(chosen)),
            bounds=Bounds(0, np.inf),
            options={"node_limit": limits.replan_nodes},
        )
        if res.x is None or -res.fun <= current + 0.5:
            return None
        plans = [Counter() for _ in classes]
        for j, n in zip(chosen, np.round(res.x).astype(int), strict=True):
            if n > 0:
                k, config = columns[j]
                plans[k][config] += int(n)
        for k, booth_class in enumerate(classes):
            plans[k][EMPTY] += booth_class.booths - plans[k].total()
        return [+plan for plan in plans]


def _days(pieces) -> int:
    return sum(days.bit_count() for _needs, days in pieces)


def _pooled(booth_class: BoothClass, higher: Counter, supply: Counter) -> float:
    """The level's booth-days when the class's booths are pooled day by day (an upper bound)."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import csc_matrix

    days = [d for d in range(booth_class.open_days.bit_length()) if booth_class.open_days >> d & 1]
    taken = [sum(n for (_needs, m, _level), n in higher.items() if m >> d & 1) for d in days]
    pieces = sorted(supply)
    rows, cols = [], []
    for j, (_needs, m) in enumerate(pieces):
        for i, d in enumerate(days):
            if m >> d & 1:
                rows.append(i)
                cols.append(j)
    res = linprog(
        -np.array([m.bit_count() for _needs, m in pieces], dtype=float),
        A_ub=csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(days), len(pieces))),
        b_ub=np.array([booth_class.booths - t for t in taken], dtype=float),
        bounds=[(0, supply[p]) for p in pieces],
        method="highs",
    )
    return -res.fun if res.status == 0 else np.inf


class _Pricer:
    """The best configurations of one class for given duals: its open days renumbered 0..n-1, each
    piece that fits it as a mask over those, and the shared DP tables for n days."""

    def __init__(self, booth_class: BoothClass, high: list[Higher], low: list[Piece]) -> None:
        days = [d for d in range(booth_class.open_days.bit_length()) if booth_class.open_days >> d & 1]
        self.table = _table(len(days))

        def squeeze(mask: int) -> int:
            return sum(1 << i for i, d in enumerate(days) if mask >> d & 1)

        self.high = [(p, squeeze(p[1])) for p in high if booth_class.fits(p)]
        self.low = [(p, squeeze(p[1]), p[1].bit_count()) for p in low if booth_class.fits(p)]

    def best(
        self, dual_high: dict, dual_low: dict, dual_level: Counter, count: int, work: Budget
    ) -> list[tuple[float, Config]]:
        """Up to count (worth, configuration), one per leading piece, the most valuable first."""
        work.left -= self.table.steps
        worth: dict[int, tuple[float, Piece | Higher, bool]] = {}  # squeezed mask -> best piece with it
        for p, m in self.high:
            w = p[1].bit_count() * dual_level[p[2]] - dual_high[p]
            if m not in worth or w > worth[m][0]:
                worth[m] = (w, p, True)
        for p, m, size in self.low:
            w = size - dual_low[p]
            if m not in worth or w > worth[m][0]:
                worth[m] = (w, p, False)
        found = []
        for total, masks in self.table.best({m: w for m, (w, _p, _h) in worth.items()}, count):
            hs = tuple(sorted(worth[m][1] for m in masks if worth[m][2]))
            ls = tuple(sorted(worth[m][1] for m in masks if not worth[m][2]))
            found.append((total, (hs, ls)))
        return found


@functools.cache
def _table(n_days: int) -> _Table:
    return _Table(n_days)


class _Table:
    """The most valuable packings of n days with day masks of given worths: a DP over the subsets of
    the days, by number of days, each subset's best packing taking its lowest day or leaving it."""

    def __init__(self, n_days: int) -> None:
        import numpy as np

        self.all = (1 << n_days) - 1
        self.layers = []  # per number of days: (subsets, skip-target, pair subset, pair mask, pair rest)
        self.steps = 0  # pairs looked at per DP
        for size in range(1, n_days + 1):
            layer = [m for m in range(1, self.all + 1) if m.bit_count() == size]
            pair_at, pair_mask, pair_rest = [], [], []
            for i, m in enumerate(layer):
                lowest = m & -m
                rest = m ^ lowest
                sub = rest
                while True:
                    pair_at.append(i)
                    pair_mask.append(sub | lowest)
                    pair_rest.append(rest ^ sub)
                    if sub == 0:
                        break
                    sub = (sub - 1) & rest
            self.layers.append(
                (
                    np.array(layer),
                    np.array([m ^ (m & -m) for m in layer]),
                    np.array(pair_at, dtype=np.int64),
                    np.array(pair_mask, dtype=np.int64),
                    np.array(pair_rest, dtype=np.int64),
                )
            )
            self.steps += len(pair_at)

    def best(self, worth: dict[int, float], count: int) -> list[tuple[float, list[int]]]:
        """Up to count (worth, masks), one per leading mask, the most valuable first."""
        import numpy as np

        value = np.full(self.all + 1, -np.inf)
        for m, w in worth.items():
            value[m] = w
        best = np.zeros(self.all + 1)
        choice = np.zeros(self.all + 1, dtype=np.int64)  # the mask taking the lowest day, 0: none
        for layer, skip, pair_at, pair_mask, pair_rest in self.layers:
            top = best[skip]
            pick = np.zeros(len(layer), dtype=np.int64)
            gain = value[pair_mask] + best[pair_rest]
            order = np.lexsort((-gain, pair_at))  # per subset, the best pair first
            first = np.ones(len(order), dtype=bool)
            first[1:] = pair_at[order][1:] != pair_at[order][:-1]
            lead = order[first]
            at = pair_at[lead]
            better = gain[lead] > top[at]
            top[at[better]] = gain[lead][better]
            pick[at[better]] = pair_mask[lead][better]
            best[layer] = top
            choice[layer] = pick
        starts = sorted(((w + best[self.all ^ m], m) for m, w in worth.items()), key=lambda t: (-t[0], t[1]))
        found = []
        for total, m in starts[:count]:
            masks = [m]
            rest = self.all ^ m
            while rest:
                piece = int(choice[rest])
                if piece == 0:
                    rest ^= rest & -rest
                    continue
                masks.append(piece)
                rest ^= piece
            found.append((float(total), masks))
        return found
