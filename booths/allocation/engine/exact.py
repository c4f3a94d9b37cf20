"""The exact step (engine step 8): on a small instance, the exact lexicographic optimum (HiGHS MILP
through scipy) replaces the engine's placement when it gives some level more.

On small instances the heuristic steps can miss the best by a booth-day or two, and one booth-day
is several percent of a small level. There an exact model over concrete booths is cheap: one binary
per (application, booth it fits), at most one application per booth-day, at most one booth per
application (exactly its booth for a pin), the quotas as rows. Levels are solved from the highest,
each held at its optimum while the lower ones are solved; within a level, a small bonus (under one
booth-day in all) prefers better lottery ranks and booths that meet preferences. HiGHS is
deterministic for the same model, and the work is capped by counts (Limits.exact_pairs, the model's
size, and Limits.exact_nodes), never by a clock.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .limits import Limits
from .state import State
from .types import misses


def take_exact_optimum(s: State, levels: list[int], limits: Limits) -> None:
    """On a small instance (Limits.exact_pairs), the exact lexicographic optimum replaces the
    placement when it places more booth-days at some level before any level places fewer."""
    fits: list[list[int]] = []
    pairs = 0
    for a, app in enumerate(s.apps):
        if app.pinned is not None:
            fits.append([s.index[app.pinned]])
        else:
            fits.append(list(s.booths_of_classes(s.compatible(s.app_needs[a], s.app_days[a]))))
        pairs += len(fits[a])
        if pairs > limits.exact_pairs:
            return
    count = max(1, len(s.apps))
    pinned_days: dict[str, int] = defaultdict(int)
    for a, app in enumerate(s.apps):
        if s.pinned[a]:
            pinned_days[app.category_group] += s.size[a]
    model = Model(
        days=[app.days for app in s.apps],
        level=[app.priority for app in s.apps],
        fits=fits,
        # preferences met first, then the lottery: under one booth-day in all (see solve)
        bonus=[
            [0.45 * (2 - misses(app, *s.zt[b])) + 0.1 * (1 - s.position[a] / count) for b in fits[a]]
            for a, app in enumerate(s.apps)
        ],
        pinned=s.pinned,
        group=[app.category_group for app in s.apps],
        room={group: limit - pinned_days[group] for group, limit in s.limit.items()},
    )
    booth = solve(model, limits.exact_nodes)
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


@dataclass(frozen=True)
class Model:
    days: list[tuple[int, ...]]  # per application: its days
    level: list[int]  # per application: priority
    fits: list[list[int]]  # per application: the booths it may take (its pinned one only, for a pin)
    bonus: list[list[float]]  # per application, parallel to fits: 0..1, higher is better
    pinned: list[bool]
    group: list[str]  # per application: category group
    room: dict[str, int]  # group with a quota -> booth-days its unpinned applications may still take


def solve(model: Model, nodes: int) -> list[int] | None:
    """Booth index per application (-1: unplaced) in the lexicographic optimum, or None when a level
    was not proven optimal within nodes branch-and-bound nodes."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    pairs = [(a, b) for a, booths in enumerate(model.fits) for b in booths]
    if not pairs:
        return [-1] * len(model.days)
    n_apps = len(model.days)
    booth_day: dict[tuple[int, int], int] = {}
    for a, b in pairs:
        for d in model.days[a]:
            booth_day.setdefault((b, d), len(booth_day))
    groups = sorted(model.room)
    values = [float(len(model.days[a])) for a, _b in pairs]
    lower = [1.0 if model.pinned[a] else 0.0 for a in range(n_apps)] + [0.0] * len(booth_day)
    upper = [1.0] * (n_apps + len(booth_day))
    lower += [-np.inf] * len(groups)
    upper += [float(max(0, model.room[group])) for group in groups]
    base = LinearConstraint(_matrix(pairs, model, booth_day, groups, values), lower, upper)
    size = np.array(values)
    level_of = np.array([model.level[a] for a, _b in pairs])
    bonus = np.array([bonus for a in range(n_apps) for bonus in model.bonus[a]])
    held = []
    solution = None
    for level in sorted(set(model.level), reverse=True):
        mine = level_of == level
        count = max(1, int(mine.sum()))
        objective = -np.where(mine, size + 0.5 * bonus / count, 0.0)
        constraints = [base] + [
            LinearConstraint(coo_matrix(w.reshape(1, -1)), value - 0.5, np.inf) for w, value in held
        ]
        res = milp(
            objective,
            constraints=constraints,
            integrality=np.ones(len(pairs)),
            bounds=Bounds(0, 1),
            options={"node_limit": nodes, "mip_rel_gap": 1e-9},
        )
        if res.status != 0:
            return None
        solution = res.x
        weights = np.where(mine, size, 0.0)
        held.append((weights, float(np.round(weights @ solution))))
    booth = [-1] * n_apps
    for v, (a, b) in enumerate(pairs):
        if solution[v] > 0.5:
            booth[a] = b
    return booth


def _matrix(pairs, model: Model, booth_day: dict, groups: list[str], values: list[float]):
    """Rows: one per application (at most one booth), one per booth-day (at most one application),
    one per quota (its booth-days)."""
    from scipy.sparse import coo_matrix

    n_apps = len(model.days)
    rows, cols, data = [], [], []
    quota_row = {group: n_apps + len(booth_day) + g for g, group in enumerate(groups)}
    for v, (a, b) in enumerate(pairs):
        rows.append(a)
        cols.append(v)
        data.append(1.0)
        for d in model.days[a]:
            rows.append(n_apps + booth_day[(b, d)])
            cols.append(v)
            data.append(1.0)
        row = quota_row.get(model.group[a])
        if row is not None and not model.pinned[a]:
            rows.append(row)
            cols.append(v)
            data.append(values[v])
    shape = (n_apps + len(booth_day) + len(groups), len(pairs))
    return coo_matrix((data, (rows, cols)), shape=shape).tocsr()
