"""The best contents for the booths of one class, by configurations (used by the engine's last step).

On ten-day instances the lowest level's booth-days hang on how the higher levels' applications are
grouped on booths: a higher application covering days 2-8 leaves days 0, 1 and 9, which only short
requests fill, and those run out. The engine's moves change one or two booths at a time; this
module re-plans a whole class of interchangeable booths (same features, same days open) at once.

A configuration is what one booth holds: a set of day masks, pairwise disjoint, some of them higher
levels' applications and the rest the level's. The model picks how many booths take each
configuration so that every higher application of the class is on some booth (by its days), the
level takes no more applications of a days mask than are waiting or already in the class, at most
the class's booths are used, and the level's booth-days are the most (Gilmore-Gomory column
generation: HiGHS solves the LP over the configurations found so far; its duals price new ones, the
best by a DP over the subsets of the open days; then a node-capped MILP over the configurations
found). The work is counted in rounds and nodes, never in seconds, so the result is the same on a
second run.
"""

from __future__ import annotations

import functools
from collections import Counter

# Open days up to which a class is planned (the DP walks the subsets of its open days).
DAYS = 12
# Pricing rounds at most, new configurations per round, branch-and-bound nodes of the final MILP.
_ROUNDS = 20
_NEW = 100
_NODES = 500

Config = tuple[tuple[int, ...], tuple[int, ...]]  # (higher applications' days, the level's days)


def best_configs(
    open_days: int, booths: int, higher: Counter, supply: Counter, now: Counter
) -> Counter | None:
    """How many of the booths take each configuration (all of them counted, an empty one included),
    for a class whose booths are open on open_days, when that gives the level more booth-days than
    the configurations the booths have now; else None.

    higher: days mask -> higher applications of the class with those days (all must stay);
    supply: days mask -> the level's applications that may go there (waiting or in the class);
    now: the configurations the booths hold now (a feasible start)."""
    days = [d for d in range(open_days.bit_length()) if open_days >> d & 1]
    if len(days) < open_days.bit_length():  # days renumbered so the DP's tables stay 2^open days
        squeeze = _Renumber(days)
        plan = best_configs(
            (1 << len(days)) - 1,
            booths,
            Counter({squeeze(m): n for m, n in higher.items()}),
            Counter({squeeze(m): n for m, n in supply.items()}),
            Counter({squeeze.config(c): n for c, n in now.items()}),
        )
        return None if plan is None else Counter({squeeze.config(c, back=True): n for c, n in plan.items()})
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp
    from scipy.sparse import csc_matrix

    current = sum(sum(m.bit_count() for m in level) * n for (_h, level), n in now.items())
    if not supply or _pooled(open_days, booths, higher, supply) < current + 1 - 1e-6:
        return None  # not even the day-by-day bound leaves room for one more booth-day
    high = sorted(higher)
    low = sorted(supply)
    row = {("h", m): 1 + i for i, m in enumerate(high)}
    row.update({("l", m): 1 + len(high) + i for i, m in enumerate(low)})
    n_rows = 1 + len(high) + len(low)
    # rows: booths (<=), higher masks (==), the level's masks (<=)
    lower = np.concatenate([[-np.inf], [higher[m] for m in high], np.full(len(low), -np.inf)])
    upper = np.concatenate([[booths], [higher[m] for m in high], [supply[m] for m in low]])
    columns: list[Config] = []
    seen: set[Config] = set()
    rows: list[int] = []
    cols: list[int] = []
    values: list[int] = []

    def add(config: Config) -> None:
        j = len(columns)
        seen.add(config)
        columns.append(config)
        hs, ls = config
        rows.append(0)
        rows.extend(row[("h", m)] for m in hs)
        rows.extend(row[("l", m)] for m in ls)
        cols.extend([j] * (1 + len(hs) + len(ls)))
        values.append(sum(m.bit_count() for m in ls))

    for config in sorted(now):
        add(config)
    pricing = _pricing(open_days)

    def model():
        matrix = csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_rows, len(columns)))
        return matrix, np.array(values, dtype=float)

    eq = np.isfinite(lower)
    for _ in range(_ROUNDS):
        matrix, value = model()
        res = linprog(
            -value,
            A_ub=matrix[~eq],
            b_ub=upper[~eq],
            A_eq=matrix[eq] if eq.any() else None,
            b_eq=upper[eq] if eq.any() else None,
            bounds=(0, None),
            method="highs",
        )
        if res.status != 0:
            return None
        dual_ub = -res.ineqlin.marginals  # booths first, then the level's masks (row order kept)
        dual_eq = -res.eqlin.marginals if eq.any() else np.zeros(0)
        booth_price = dual_ub[0]
        worth = {}
        for i, m in enumerate(high):
            worth[m] = (-dual_eq[i], True)
        for i, m in enumerate(low):
            w = m.bit_count() - dual_ub[1 + i]
            if m not in worth or w > worth[m][0]:
                worth[m] = (w, False)
        fresh = [c for v, c in pricing.best(worth, _NEW) if v - booth_price > 1e-6 and c not in seen]
        if not fresh:
            break  # no configuration prices above a booth: the LP is optimal
        for config in fresh:
            if config not in seen:  # two leading masks can complete to the same configuration
                add(config)
    # the MILP over the configurations the last LP uses, and the ones held now (a feasible start)
    keep = np.zeros(len(columns), dtype=bool)
    keep[: len(now)] = True
    keep[: len(res.x)] |= res.x > 1e-9
    matrix, value = model()
    matrix, value = matrix[:, keep], value[keep]
    chosen = np.nonzero(keep)[0]
    res = milp(
        -value,
        constraints=LinearConstraint(matrix, lower, upper),
        integrality=np.ones(len(value)),
        bounds=Bounds(0, np.inf),
        options={"node_limit": _NODES},
    )
    if res.x is None or -res.fun <= current + 0.5:
        return None
    counts = np.round(res.x).astype(int)
    plan = Counter({columns[chosen[j]]: int(counts[j]) for j in np.nonzero(counts)[0]})
    plan[((), ())] += booths - counts.sum()  # the booths left empty
    return +plan


class _Renumber:
    """Day masks over the given days (ascending) to masks over 0..len(days)-1, and back."""

    def __init__(self, days: list[int]) -> None:
        self.days = days

    def __call__(self, m: int, back: bool = False) -> int:
        out = 0
        for i, d in enumerate(self.days):
            if (m >> i if back else m >> d) & 1:
                out |= 1 << (d if back else i)
        return out

    def config(self, c: Config, back: bool = False) -> Config:
        higher, mine = c
        return tuple(sorted(self(m, back) for m in higher)), tuple(sorted(self(m, back) for m in mine))


def _pooled(open_days: int, booths: int, higher: Counter, supply: Counter) -> float:
    """The level's booth-days when the class's booths are pooled day by day (an upper bound)."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import csc_matrix

    days = [d for d in range(open_days.bit_length()) if open_days >> d & 1]
    room = np.array([booths - sum(n for m, n in higher.items() if m >> d & 1) for d in days], dtype=float)
    masks = sorted(supply)
    rows, cols = [], []
    for j, m in enumerate(masks):
        for i, d in enumerate(days):
            if m >> d & 1:
                rows.append(i)
                cols.append(j)
    matrix = csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(days), len(masks)))
    res = linprog(
        -np.array([m.bit_count() for m in masks], dtype=float),
        A_ub=matrix,
        b_ub=room,
        bounds=[(0, supply[m]) for m in masks],
        method="highs",
    )
    return -res.fun


@functools.cache
def _pricing(open_days: int) -> _Pricing:
    return _Pricing(open_days)


class _Pricing:
    """The most valuable configurations for given worths of day masks: a DP over the subsets of the
    open days, by number of days, each subset's best packing taking its lowest day or leaving it."""

    def __init__(self, open_days: int) -> None:
        import numpy as np

        self.open_days = open_days
        subsets = []
        sub = open_days
        while True:
            subsets.append(sub)
            if sub == 0:
                break
            sub = (sub - 1) & open_days
        subsets.sort(key=lambda m: (m.bit_count(), m))
        self.layers = []  # per number of days: (subsets, skip-target, pair subset, pair mask, pair rest)
        for size in range(1, open_days.bit_count() + 1):
            layer = [m for m in subsets if m.bit_count() == size]
            pair_at, pair_mask, pair_rest = [], [], []
            for i, m in enumerate(layer):
                lowest = m & -m
                rest = m ^ lowest
                sub = rest
                while True:
                    piece = sub | lowest
                    pair_at.append(i)
                    pair_mask.append(piece)
                    pair_rest.append(m ^ piece)
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
        self.size = 1 << open_days.bit_length()

    def best(self, worth: dict[int, tuple[float, bool]], count: int) -> list[tuple[float, Config]]:
        """Up to count (worth, configuration), one per leading mask, the most valuable first."""
        import numpy as np

        value = np.full(self.size, -np.inf)
        for m, (w, _higher) in worth.items():
            value[m] = w
        best = np.zeros(self.size)
        choice = np.zeros(self.size, dtype=np.int64)  # the mask taking the lowest day, 0: left empty
        for layer, skip, pair_at, pair_mask, pair_rest in self.layers:
            top = best[skip]
            pick = np.zeros(len(layer), dtype=np.int64)
            if len(pair_at):
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
        starts = [
            (float(w + best[self.open_days ^ m]), m)
            for m, (w, _h) in worth.items()
            if not m & ~self.open_days
        ]
        starts.sort(key=lambda t: (-t[0], t[1]))
        found = []
        for total, m in starts[:count]:
            hs, ls = [], []
            rest = self.open_days ^ m
            (hs if worth[m][1] else ls).append(m)
            while rest:
                piece = int(choice[rest])
                if piece == 0:
                    rest ^= rest & -rest
                    continue
                (hs if worth[piece][1] else ls).append(piece)
                rest ^= piece
            found.append((total, (tuple(sorted(hs)), tuple(sorted(ls)))))
        return found
