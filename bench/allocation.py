"""Benchmark of the booth allocation engine against the best any valid assignment could reach.

    .venv/bin/python bench/allocation.py                       # small and medium
    .venv/bin/python bench/allocation.py --sizes small medium large
    .venv/bin/python bench/allocation.py --sizes large --bound lp --no-memory
    .venv/bin/python bench/allocation.py --write-instance /tmp/medium.json --sizes medium
    .venv/bin/python bench/allocation.py --corpus 60x12x10 --seeds 20    # against the exact optimum
    .venv/bin/python bench/allocation.py --sizes large --days 30 --bound none   # a month-long site

Sizes: small 300 applications × 120 booths × 3 days, medium 3,000 × 800 × 5, large 20,000 × 4,000 × 10.
The instances are realistic: demand skewed to food and handicrafts, food needing water and power,
contiguous and scattered day requests, support-company groups, a few pins, four priority levels,
booths missing some days.

For each priority level (highest first) it prints the engine's booth-days, the bound, their ratio,
and the engine's time (wall and CPU) and peak memory (tracemalloc, a second run); with --command it
also runs `manage.py allocate --instance` in a child process (wall, CPU and peak RSS from
/usr/bin/time). The bound is computed lexicographically, level by level, on the class model
(booths with the same needed features and availability pooled, applications with the same
priority, needs and days pooled): maximise the level's booth-days with the higher levels held.
`--bound auto` (the default) uses integer variables (HiGHS MILP; a level not proven within the
time limit falls back to the LP) up to 5,000 applications and the LP relaxation (HiGHS interior
point, 10-30 s) above. Pooling booths only drops the rule that one application keeps
one booth on all its days, so the bound is never below the true optimum; an LP value holds its
level at the booth-days the engine reached (a feasible value, at most the optimum) while the lower
levels are bounded, so each level's LP value stays an upper bound. A ratio of 99% against it is at
least 99% of the exact optimum.

Measured on seed 1, 2-core machine (CPU seconds are the steadier figure):

    size    bound  level 3      level 2      level 1        level 0              engine   command
    small   MILP   23/23 100%   51/51 100%   115/115 100%   156/156 100%         0.49 s   1.0 s, 101 MiB
    medium  MILP   217/217      759/759      1883/1883      1047/1047 100%       0.07 s   0.6 s, 66 MiB
    large   LP     2526/2526    9408/9408    22958/22958    3924/3940 99.59%     6.6 s    7.1 s, 196 MiB

(command: `manage.py allocate --instance` wall time and peak RSS; most of the small and medium
command is Django's start-up, and on small the engine imports scipy for the class re-planning.)
Large, level 0, against the LP bound on the other seeds: 2 99.26% (5089/5127), 3 99.56%
(5018/5040), 4 99.43% (4371/4396), 5 99.24% (5216/5256), 6 99.77% (4270/4280), 7 99.57%
(3451/3466, level 1 23311/23314), 8 99.17% (5147/5190); levels 1-3 reach their bound but for
seed 7's 3 booth-days. Engine 5.1-6.6 s, command 7.0-8.2 s wall, 192-201 MiB. Before the class
re-planning (engine step 6) level 0 was at 98.44-99.24% (seed 8: 5109). The exchange of higher
applications and the caps for long sites left seeds 1-8 byte for byte the same; on a later day
the same code (old and new alike) ran 7.0-7.6 s, command 8.5-9.0 s wall, 193-195 MiB.

The class bound pools the booths of a class day by day, so it ignores that one application keeps
one booth on all its days. With 3 or 5 days that costs nothing (the MILP above is the optimum);
with 10 days it does, and the gap shows on instances small enough for the exact solver over
concrete booths (--corpus, seeds 1-N, sums per level; here the heuristic alone, Limits(exact_pairs=0),
which is what larger instances get):

    corpus          level 3      level 2      level 1           level 0           exact / class (level 0)
    60×12×10, 20    131/131      552/552      1036/1036 100%     398/399 99.75%   96.61%
    100×20×10, 10   151/151      515/515      927/927 100%       272/273 99.63%   99.27%

(engine / exact; the last column is how far the exact optimum of level 0 lies below the class
bound.) With the exact step (up to 3,000 application-booth pairs, booths.allocation.engine.exact) both
corpora reach the exact optimum at every level on every instance; it adds 0.3-1 s there, up to
4.5 s near 3,000 pairs. At 200×40×10 (5,300-5,800 pairs, past the exact step) the engine reaches
the exact optimum at every level on seeds 1-14 (engine 0.9-2.0 s). Level 1 was 242/247 and
205/213 on seeds 4 and 6 before all classes were re-planned in one model; level 0 was 53/54 and
29/31 on seeds 1 and 4 before the re-planning could exchange a placed higher application for a
waiting one of its level with as many booth-days (the exact optimum chose other level-1
applications, with the same booth-days, that leave level 0 more room).

Other day counts (--days; the class bound is slow past 12 days, so --bound lp or none there):
large with 12 days 8.9 s, 14 days 6.3 s, 20 days 15 s, 30 days 15 s; 3,000 × 800 × 30 6.3 s.
Before the searches looked at the requested day masks instead of every subset of a long site's
days, 300 × 120 × 20 took 189 s and 300 × 60 × 30 ran for over six minutes.

Where the large size's last gap lies (seed 8): the engine's moves change one or two booths at a
time; with the higher levels held on their booths the exact best for level 0 was the engine's +5,
and with them held in their classes (pooled) 5186 against the bound's 5190. So the gap was which
higher applications share a booth: a higher application on days 1-9 leaves day 0, which only
one-day requests fill, and those run out. Re-planning each class by configurations (engine/configurations.py:
column generation, then a MILP over the configurations found) takes level 0 from 5109 to 5147; a
model of all classes at once reached 5189.9 in its LP (5189 in the MILP over its configurations) but
took 330 s for ten rounds on 4,000 booths, so above 200 booths the engine plans class by class.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import random
import re
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from booths.allocation.engine import ApplicationIn, BoothIn, Instance, allocate
from booths.allocation.instance import instance_data

SIZES = {"small": (300, 120, 3), "medium": (3000, 800, 5), "large": (20000, 4000, 10)}
FOOD = ["5001", "5002", "5003", "5004", "5005", "5006", "5007", "3001", "3005"]
CRAFT = ["1001", "1002", "1003", "1006", "1011", "1014", "2001", "2002"]
OTHER = ["4003", "6001", "7005", "2004", "1005"]
COUNTIES = ["khorramabad", "borujerd", "dorud", "aligudarz", "azna", "kuhdasht", "poldokhtar", "delfan"]


def generate(apps: int, booths: int, days: int, seed: int = 1) -> Instance:
    rng = random.Random(seed)
    start = datetime.date(2027, 3, 15)
    day_names = tuple((start + datetime.timedelta(days=d)).isoformat() for d in range(days))
    zones = [chr(ord("A") + z) for z in range(max(1, booths // 40))][:26]
    booth_list = []
    for i in range(booths):
        zone = zones[i * len(zones) // booths]
        features = set()
        if rng.random() < 0.6:
            features.add("power")
        if rng.random() < 0.2:
            features.add("water")
        if rng.random() < 0.15:
            features.add("accessible")
        if rng.random() < 0.1:
            features.add("outdoor")
        available = None
        if days > 1 and rng.random() < 0.1:
            gap = rng.randrange(days)
            available = tuple(
                d for d in range(days) if not gap <= d < gap + rng.randint(1, max(1, days // 3))
            )
        kind = "corner" if i % 10 == 0 else "standard"
        neighbours = []
        for j in (i - 1, i + 1):
            if 0 <= j < booths and zones[j * len(zones) // booths] == zone:
                neighbours.append(f"B{j:05d}")
        booth_list.append(BoothIn(f"B{i:05d}", zone, kind, frozenset(features), tuple(neighbours), available))

    groups = [f"{10100000000 + g}" for g in range(max(1, apps // 100))]
    app_list = []
    for i in range(apps):
        r = rng.random()
        category = rng.choice(FOOD if r < 0.45 else CRAFT if r < 0.8 else OTHER)
        needs = set()
        if category in FOOD:
            if rng.random() < 0.3:
                needs.add("water")
            if rng.random() < 0.4:
                needs.add("power")
        elif rng.random() < 0.2:
            needs.add("power")
        if rng.random() < 0.05:
            needs.add("accessible")
        shape = rng.random()
        if shape < 0.3:
            wanted = tuple(range(days))
        elif shape < 0.8:
            first = rng.randrange(days)
            wanted = tuple(range(first, rng.randint(first, days - 1) + 1))
        else:
            wanted = tuple(sorted(rng.sample(range(days), rng.randint(1, days))))
        priority = rng.choices([0, 1, 2, 3], weights=[70, 20, 8, 2])[0]
        prefer = rng.random() < 0.3
        app_list.append(
            ApplicationIn(
                id=f"app-{i}",
                days=wanted,
                vendor=f"{1404000000 + i}",
                category=category,
                county=rng.choice(COUNTIES),
                group=rng.choice(groups) if rng.random() < 0.1 else None,
                priority=priority,
                needs=frozenset(needs),
                prefer_zones=(rng.choice(zones),) if prefer else (),
                prefer_types=("corner",) if prefer and rng.random() < 0.3 else (),
            )
        )
    # A few pins on booths that suit them, never two on one booth-day.
    used: dict[str, set[int]] = defaultdict(set)
    for i in rng.sample(range(apps), max(1, apps // 200)):
        app = app_list[i]
        for booth in rng.sample(booth_list, min(20, len(booth_list))):
            days_ok = booth.days is None or set(app.days) <= set(booth.days)
            if app.needs <= booth.features and days_ok and not used[booth.id] & set(app.days):
                used[booth.id] |= set(app.days)
                app_list[i] = ApplicationIn(**{**app.__dict__, "pinned": booth.id})
                break
    return Instance(day_names, tuple(booth_list), tuple(app_list), seed=seed, site=f"bench-{apps}")


def class_bound(
    instance: Instance,
    integer: bool = True,
    time_limit: float = 60.0,
    achieved: dict[int, int] | None = None,
) -> tuple[dict[int, float], str]:
    """Lexicographic per-level upper bound on booth-days from the pooled class model.

    Booths are pooled by (the features some application needs, available days), applications by
    (priority, needs, days). Level by level, from the highest: maximise the level's booth-days with
    every higher level held at its value. Only the variables of the level and the higher ones take
    part (lower levels would stay empty). With integer=True each level is solved as a MILP when HiGHS
    proves it within time_limit, else that level and all lower ones use the LP relaxation; the mode
    says which ("MILP", "LP" or "MILP+LP" when levels differ).

    A proven MILP value is the level's optimum and holds that level while the lower ones are solved.
    An LP value is only an upper bound: holding a level at it could squeeze the lower levels below
    their true optimum, so a level bounded by the LP is held at the booth-days a real assignment
    reached instead (achieved, e.g. the engine's), which is at most the optimum. Every value
    returned is then an upper bound on that level's booth-days in the lexicographic optimum.
    """
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp
    from scipy.sparse import coo_matrix, vstack

    n_days = len(instance.days)
    all_days = tuple(range(n_days))
    needed = frozenset().union(*(a.needs for a in instance.applications))
    classes: dict[tuple[frozenset, tuple], list[str]] = defaultdict(list)
    for b in instance.booths:
        classes[(b.features & needed, all_days if b.days is None else b.days)].append(b.id)
    class_keys = sorted(classes, key=lambda k: (sorted(k[0]), k[1]))
    class_of = {booth_id: k for k, key in enumerate(class_keys) for booth_id in classes[key]}
    cap = np.zeros((len(class_keys), n_days))
    for k, (_features, avail) in enumerate(class_keys):
        for d in avail:
            cap[k, d] = len(classes[class_keys[k]])
    pinned_days: dict[int, float] = defaultdict(float)
    pools: dict[tuple[int, frozenset, tuple], int] = defaultdict(int)
    for a in instance.applications:
        if a.pinned is not None:
            for d in a.days:
                cap[class_of[a.pinned], d] -= 1
            pinned_days[a.priority] += len(a.days)
        else:
            pools[(a.priority, a.needs, a.days)] += 1
    pool_keys = sorted(pools, key=lambda p: (-p[0], sorted(p[1]), p[2]))
    levels = sorted({a.priority for a in instance.applications}, reverse=True)
    compat: dict[tuple[frozenset, tuple], list[int]] = {}
    var_pool, var_class = [], []
    for g, (_p, needs, days) in enumerate(pool_keys):  # pools are ordered highest level first
        key = (needs, days)
        if key not in compat:
            compat[key] = [
                k
                for k, (features, avail) in enumerate(class_keys)
                if needs <= features and set(days) <= set(avail)
            ]
        for k in compat[key]:
            var_pool.append(g)
            var_class.append(k)
    var_level = np.array([pool_keys[g][0] for g in var_pool])
    weights = np.array([len(pool_keys[g][2]) for g in var_pool], dtype=float)
    # Rows: one per pool (at most its size), one per (class, day) (at most the free booths).
    rows, cols = list(var_pool), list(range(len(var_pool)))
    row_of: dict[tuple[int, int], int] = {}
    base = len(pool_keys)
    for v, (g, k) in enumerate(zip(var_pool, var_class, strict=True)):
        for d in pool_keys[g][2]:
            rows.append(row_of.setdefault((k, d), base + len(row_of)))
            cols.append(v)
    upper = np.array([pools[p] for p in pool_keys] + [cap[k, d] for k, d in row_of], dtype=float)
    full = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(base + len(row_of), len(var_pool))).tocsc()
    result: dict[int, float] = {}
    modes = []
    held: list[tuple[np.ndarray, float]] = []  # (weights over the variables of a level, its value)
    mode = "MILP" if integer else "LP"
    for level in levels:
        n = int(np.sum(var_level >= level))  # variables of this level and the higher ones
        if n == 0:
            result[level] = pinned_days[level]
            continue
        matrix = full[:, :n].tocsr()
        used = np.diff(matrix.indptr) > 0
        mats, lb, ub = [matrix[used]], [np.full(int(used.sum()), -np.inf)], [upper[used]]
        for w, value in held:
            mats.append(coo_matrix(w[:n].reshape(1, -1)))
            lb.append(np.array([value]))
            ub.append(np.array([np.inf]))
        constraint = LinearConstraint(vstack(mats).tocsr(), np.concatenate(lb), np.concatenate(ub))
        objective = np.where(var_level[:n] == level, -weights[:n], 0.0)
        value = None
        if mode == "MILP":
            res = milp(
                objective,
                constraints=constraint,
                integrality=np.ones(n),
                bounds=Bounds(0, np.inf),
                options={"time_limit": time_limit},
            )
            if res.status == 0:
                value = -res.fun
            else:
                mode = "LP"  # not proven in time: the relaxation for this level and the lower ones
        if value is None:  # HiGHS's interior point: the simplex takes minutes on the large size
            res = linprog(objective, bounds=(0, None), method="highs-ipm", **_lp_rows(constraint))
            value = -res.fun
            value = math.floor(value + 1e-6)  # booth-days are whole
        modes.append(mode)
        result[level] = value + pinned_days[level]
        if mode == "LP" and achieved is not None:
            value = min(value, achieved.get(level, 0) - pinned_days[level])
        held.append((np.where(var_level == level, weights, 0.0), value - 1e-6))
    label = modes[0] if len(set(modes)) <= 1 else "+".join(dict.fromkeys(modes))
    return result, label


def lowest_given_higher(instance: Instance, result) -> tuple[int, float]:
    """The most booth-days the lowest level could reach with every higher level (and every pin) left
    where the engine put it: an exact MILP in which booths are grouped by their features and the days
    still free on them. Splits the engine's gap to the class bound into the part its lowest-level
    packing loses and the part its placement of the higher levels leaves (fragmented free days).
    Returns (booth-days, seconds)."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    started = time.perf_counter()
    booth_of = {p.application: p.booth for p in result.assignments}
    lowest = min(a.priority for a in instance.applications)
    needed = frozenset().union(*(a.needs for a in instance.applications))
    busy: dict[str, set[int]] = defaultdict(set)
    fixed_days = 0
    for a in instance.applications:
        if a.id in booth_of and (a.priority > lowest or a.pinned is not None):
            busy[booth_of[a.id]] |= set(a.days)
            fixed_days += len(a.days) if a.priority == lowest else 0
    classes: dict[tuple[frozenset, tuple], int] = defaultdict(int)
    for b in instance.booths:
        free = (set(range(len(instance.days))) if b.days is None else set(b.days)) - busy[b.id]
        if free:
            classes[(b.features & needed, tuple(sorted(free)))] += 1
    keys = sorted(classes, key=lambda k: (sorted(k[0]), k[1]))
    pools: dict[tuple[frozenset, tuple], int] = defaultdict(int)
    for a in instance.applications:
        if a.priority == lowest and a.pinned is None:
            pools[(a.needs, a.days)] += 1
    pool_keys = sorted(pools, key=lambda p: (sorted(p[0]), p[1]))
    variables = [
        (g, k)
        for g, (needs, days) in enumerate(pool_keys)
        for k, (features, free) in enumerate(keys)
        if needs <= features and set(days) <= set(free)
    ]
    rows, cols, row_of = [], [], {}
    for v, (g, k) in enumerate(variables):
        rows.append(g)
        cols.append(v)
        for d in pool_keys[g][1]:
            rows.append(row_of.setdefault((k, d), len(pool_keys) + len(row_of)))
            cols.append(v)
    upper = np.array([pools[p] for p in pool_keys] + [classes[keys[k]] for k, _d in row_of], dtype=float)
    matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(upper), len(variables))).tocsr()
    weights = np.array([len(pool_keys[g][1]) for g, _k in variables], dtype=float)
    res = milp(
        -weights,
        constraints=LinearConstraint(matrix, -np.inf, upper),
        integrality=np.ones(len(variables)),
        bounds=Bounds(0, np.inf),
        options={"time_limit": 120},
    )
    return round(-res.fun) + fixed_days, time.perf_counter() - started


def exact_optimum(instance: Instance) -> dict[int, int]:
    """The lexicographic optimum per level over concrete booths (HiGHS MILP, level by level from the
    highest, each held at its optimum): the true best, for instances of up to a few hundred
    application-booth pairs (tests and --corpus)."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix, vstack

    n_days = len(instance.days)
    pairs = []
    for a, app in enumerate(instance.applications):
        for b, booth in enumerate(instance.booths):
            open_days = set(range(n_days)) if booth.days is None else set(booth.days)
            fits = app.needs <= booth.features and set(app.days) <= open_days
            if fits and (app.pinned is None or app.pinned == booth.id):
                pairs.append((a, b))
    levels = sorted({a.priority for a in instance.applications}, reverse=True)
    if not pairs:
        return dict.fromkeys(levels, 0)
    n_apps = len(instance.applications)
    rows, cols = [], []
    for v, (a, b) in enumerate(pairs):
        rows.append(a)  # one booth at most per application (exactly one when pinned)
        cols.append(v)
        for d in instance.applications[a].days:  # one application at most per booth-day
            rows.append(n_apps + b * n_days + d)
            cols.append(v)
    shape = (n_apps + len(instance.booths) * n_days, len(pairs))
    matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=shape).tocsr()
    lower = np.zeros(shape[0])
    for a, app in enumerate(instance.applications):
        lower[a] = 1.0 if app.pinned else 0.0
    held: list[tuple[np.ndarray, int]] = []
    optimum = {}
    for level in levels:
        weights = np.array(
            [
                len(instance.applications[a].days) if instance.applications[a].priority == level else 0
                for a, _ in pairs
            ],
            dtype=float,
        )
        mats, lbs, ubs = [matrix], [lower], [np.ones(shape[0])]
        for w, value in held:
            mats.append(coo_matrix(w.reshape(1, -1)))
            lbs.append(np.array([value - 0.5]))
            ubs.append(np.array([np.inf]))
        res = milp(
            -weights,
            constraints=LinearConstraint(vstack(mats).tocsr(), np.concatenate(lbs), np.concatenate(ubs)),
            integrality=np.ones(len(pairs)),
            bounds=Bounds(0, 1),
        )
        assert res.status == 0, res.message
        optimum[level] = round(-res.fun)
        held.append((weights, optimum[level]))
    return optimum


def corpus(apps: int, booths: int, days: int, seeds: int) -> None:
    """Engine, exact optimum and class-model bound per level, summed over generated instances with
    seeds 1..seeds (small enough for the exact solver)."""
    totals: dict[str, dict[int, int]] = {k: defaultdict(int) for k in ("engine", "exact", "class")}
    seconds = 0.0
    for seed in range(1, seeds + 1):
        instance = generate(apps, booths, days, seed=seed)
        result = allocate(instance)
        seconds += result.seconds
        achieved = {level: f["booth_days"] for level, f in result.levels.items()}
        bound, _mode = class_bound(instance, integer=True, time_limit=30, achieved=achieved)
        for level, best in exact_optimum(instance).items():
            totals["engine"][level] += achieved.get(level, 0)
            totals["exact"][level] += best
            totals["class"][level] += int(bound[level])
    print(f"\ncorpus: {seeds} instances of {apps} applications × {booths} booths × {days} days")
    print(f"engine {seconds / seeds:.2f} s on average")
    print(f"{'priority':>8} {'engine':>8} {'exact':>8} {'ratio':>8} {'class':>8} {'exact/class':>12}")
    for level in sorted(totals["exact"], reverse=True):
        engine, exact, pooled = totals["engine"][level], totals["exact"][level], totals["class"][level]
        print(
            f"{level:>8} {engine:>8} {exact:>8} {engine / max(exact, 1):>8.2%} {pooled:>8} "
            f"{exact / max(pooled, 1):>12.2%}"
        )


def _lp_rows(constraint) -> dict:
    """linprog takes only ≤ rows: a ≤ Ax ≤ b becomes Ax ≤ b and −Ax ≤ −a where the side is finite."""
    import numpy as np
    from scipy.sparse import vstack

    matrix, lb, ub = constraint.A, constraint.lb, constraint.ub
    upper, lower = np.isfinite(ub), np.isfinite(lb)
    return {
        "A_ub": vstack([matrix[upper], -matrix[lower]]).tocsr(),
        "b_ub": np.concatenate([ub[upper], -lb[lower]]),
    }


def run_command(instance: Instance) -> tuple[float, float | None, float | None, float, dict]:
    """`manage.py allocate --instance` on the instance in a child process: (wall seconds, peak RSS in
    MiB and CPU seconds from /usr/bin/time when it is there, the engine's seconds as the command
    writes them to standard error, the result's stats). The result itself has no timings."""
    import shutil
    import subprocess
    import tempfile

    root = Path(__file__).resolve().parent.parent
    timer = shutil.which("time", path="/usr/bin")
    with tempfile.TemporaryDirectory() as folder:
        path, peak_file = Path(folder) / "instance.json", Path(folder) / "peak"
        path.write_text(json.dumps(instance_data(instance), ensure_ascii=False), encoding="utf-8")
        command = [sys.executable, str(root / "manage.py"), "allocate", "--instance", str(path)]
        if timer:  # the child's own peak (ru_maxrss of this process's children would count the fork)
            command = [timer, "-f", "%M %U %S", "-o", str(peak_file), *command]
        started = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, cwd=root)
        wall = time.perf_counter() - started
        timing = re.search(rb"allocated in ([0-9.]+) s", done.stderr)
        engine = float(timing.group(1)) if timing else float("nan")
        peak = cpu = None
        if timer:
            kib, user, system = peak_file.read_text().split()[-3:]
            peak, cpu = int(kib) / 1024, float(user) + float(system)
    return wall, peak, cpu, engine, json.loads(done.stdout)["stats"]


def measure(
    name: str,
    instance: Instance,
    memory: bool,
    integer: bool | None,
    command: bool = False,
    given_higher: bool = False,
) -> None:
    cpu_started = time.process_time()
    result = allocate(instance)
    cpu = time.process_time() - cpu_started
    seconds = result.seconds
    peak = None
    if memory:
        tracemalloc.start()
        allocate(instance)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    started = time.perf_counter()
    achieved = {level: f["booth_days"] for level, f in result.levels.items()}
    if integer is None:  # --bound none: the engine's figures alone
        bound, mode = {level: float("nan") for level in achieved}, "not computed"
    else:
        bound, mode = class_bound(instance, integer=integer, achieved=achieved)
    bound_seconds = time.perf_counter() - started
    apps, booths, days = len(instance.applications), len(instance.booths), len(instance.days)
    print(f"\n{name}: {apps} applications × {booths} booths × {days} days, seed {instance.seed}")
    print(
        f"engine {seconds:.2f} s ({cpu:.2f} s CPU)"
        + (f", peak {peak:.0f} MiB (tracemalloc)" if peak is not None else "")
    )
    print(f"bound: class model {mode}, {bound_seconds:.1f} s")
    print(f"{'priority':>8} {'asked':>8} {'engine':>8} {'bound':>10} {'ratio':>8}")
    for level, figures in result.levels.items():
        ratio = figures["booth_days"] / bound[level] if bound[level] else 1.0
        print(
            f"{level:>8} {figures['asked_booth_days']:>8} {figures['booth_days']:>8} "
            f"{bound[level]:>10.1f} {ratio:>8.2%}"
        )
    if command:
        wall, peak_rss, cpu, engine, stats = run_command(instance)
        rss = "unknown" if peak_rss is None else f"{peak_rss:.0f} MiB"
        cpu_text = "" if cpu is None else f" ({cpu:.2f} s CPU)"
        print(
            f"command: manage.py allocate --instance, {wall:.2f} s wall{cpu_text}, peak RSS {rss}, "
            f"engine {engine:.2f} s, {stats['booth_days']} booth-days"
        )
    if given_higher:
        lowest = min(result.levels)
        best, best_seconds = lowest_given_higher(instance, result)
        print(
            f"lowest level with the higher levels where the engine put them: at most {best} booth-days "
            f"(exact, {best_seconds:.1f} s); the engine {result.levels[lowest]['booth_days']} "
            f"({result.levels[lowest]['booth_days'] / best:.2%})"
        )
    total_bound = sum(bound.values())
    print(
        f"{'all':>8} {'':>8} {result.booth_days:>8} {total_bound:>10.1f} {result.booth_days / total_bound:>8.2%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=["small", "medium"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-memory", action="store_true", help="skip the second, tracemalloc run")
    parser.add_argument(
        "--bound",
        choices=["auto", "milp", "lp", "none"],
        default="auto",
        help="exact class-model MILP (falls back to the LP when not proven in time), its LP relaxation, "
        "auto: MILP up to 5,000 applications, LP above; or none (the engine alone)",
    )
    parser.add_argument("--days", type=int, help="open days instead of the size's (e.g. 30 for a month)")
    parser.add_argument(
        "--command", action="store_true", help="also time `manage.py allocate --instance` (wall, peak RSS)"
    )
    parser.add_argument(
        "--given-higher",
        action="store_true",
        help="also the exact best for the lowest level with the higher levels left where the engine put them",
    )
    parser.add_argument("--write-instance", help="write the (last) generated instance as JSON to this file")
    parser.add_argument(
        "--corpus",
        metavar="APPSxBOOTHSxDAYS",
        help="instead of the sizes: sum the engine, the exact optimum (concrete booths) and the class "
        "bound over --seeds generated instances of this size, e.g. 60x12x10",
    )
    parser.add_argument("--seeds", type=int, default=20, help="instances in the corpus (seeds 1..N)")
    args = parser.parse_args()
    if args.corpus:
        corpus(*(int(n) for n in args.corpus.split("x")), seeds=args.seeds)
        return
    for name in args.sizes:
        apps, booths, days = SIZES[name]
        instance = generate(apps, booths, args.days or days, seed=args.seed)
        if args.write_instance:
            Path(args.write_instance).write_text(json.dumps(instance_data(instance), ensure_ascii=False))
        integer = args.bound == "milp" or (args.bound == "auto" and len(instance.applications) <= 5000)
        if args.bound == "none":
            integer = None
        measure(
            name,
            instance,
            memory=not args.no_memory,
            integer=integer,
            command=args.command,
            given_higher=args.given_higher,
        )


if __name__ == "__main__":
    main()
