"""Benchmark of the booth allocation engine against the best any valid assignment could reach.

    .venv/bin/python bench/allocation.py                       # small and medium
    .venv/bin/python bench/allocation.py --sizes small medium large
    .venv/bin/python bench/allocation.py --write-instance /tmp/medium.json --sizes medium

Sizes: small 300 applications × 120 booths × 3 days, medium 3,000 × 800 × 5, large 20,000 × 4,000 × 10.
The instances are realistic: demand skewed to food and handicrafts, food needing water and power,
contiguous and scattered day requests, support-company groups, a few pins, four priority levels,
booths missing some days.

For each priority level (highest first) it prints the engine's booth-days, the bound, their ratio,
and the engine's time and peak memory (tracemalloc, a second run). The bound is computed
lexicographically, level by level, on the class model (booths with the same features and
availability pooled, applications with the same priority, needs and days pooled): with integer
variables (HiGHS MILP) when it is proven within the time limit, else its LP relaxation. Pooling
booths only drops the rule that one application keeps one booth on all its days, so the bound is
never below the true optimum: a ratio of 99% against it is at least 99% of the exact optimum.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from booths.allocation.engine import ApplicationIn, BoothIn, Instance, allocate

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


def instance_json(instance: Instance) -> dict:
    return {
        "site": instance.site,
        "days": list(instance.days),
        "booths": [
            {
                "id": b.id,
                "zone": b.zone,
                "type": b.type,
                "features": sorted(b.features),
                "neighbours": list(b.neighbours),
            }
            | ({} if b.days is None else {"days": list(b.days)})
            for b in instance.booths
        ],
        "applications": [
            {
                "id": a.id,
                "vendor": a.vendor,
                "category": a.category,
                "county": a.county,
                "group": a.group,
                "priority": a.priority,
                "days": list(a.days),
                "needs": sorted(a.needs),
                "prefers": {"zones": list(a.prefer_zones), "types": list(a.prefer_types)},
                "pinned": a.pinned,
            }
            for a in instance.applications
        ],
        "seed": instance.seed,
    }


def class_bound(
    instance: Instance, integer: bool = True, time_limit: float = 60.0
) -> tuple[dict[int, float], str]:
    """Lexicographic per-level upper bound on booth-days from the pooled class model."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp
    from scipy.sparse import coo_matrix, vstack

    n_days = len(instance.days)
    all_days = tuple(range(n_days))
    classes: dict[tuple[frozenset, tuple], list[str]] = defaultdict(list)
    for b in instance.booths:
        classes[(b.features, all_days if b.days is None else b.days)].append(b.id)
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
    var_pool, var_class = [], []
    for g, (_p, needs, days) in enumerate(pool_keys):
        for k, (features, avail) in enumerate(class_keys):
            if needs <= features and set(days) <= set(avail):
                var_pool.append(g)
                var_class.append(k)
    n = len(var_pool)
    rows, cols, upper = [], [], []
    for v, g in enumerate(var_pool):  # each pool at most its size
        rows.append(g)
        cols.append(v)
    upper += [pools[p] for p in pool_keys]
    base = len(pool_keys)
    row_of = {}
    for v, (g, k) in enumerate(zip(var_pool, var_class, strict=True)):
        for d in pool_keys[g][2]:
            r = row_of.setdefault((k, d), base + len(row_of))
            rows.append(r)
            cols.append(v)
    for k, d in row_of:
        upper.append(cap[k, d])
    a_matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(base + len(row_of), n)).tocsr()
    weights = np.array([len(pool_keys[g][2]) for g in var_pool], dtype=float)
    levels = sorted({a.priority for a in instance.applications}, reverse=True)
    level_rows = []
    result: dict[int, float] = {}
    mode = "MILP" if integer else "LP"
    for level in levels:
        c = np.array([-weights[v] if pool_keys[g][0] == level else 0.0 for v, g in enumerate(var_pool)])
        mats = [a_matrix] + [r for r, _ in level_rows]
        ub = np.array(upper + [np.inf] * len(level_rows))
        lb = np.array([-np.inf] * len(upper) + [value for _, value in level_rows])
        stacked = vstack(mats).tocsr() if level_rows else a_matrix
        value = None
        if integer and mode == "MILP":
            res = milp(
                c,
                constraints=LinearConstraint(stacked, lb, ub),
                integrality=np.ones(n),
                bounds=Bounds(0, np.inf),
                options={"time_limit": time_limit},
            )
            if res.status == 0:
                value = -res.fun
            else:
                mode = "LP"  # not proven in time: fall back to the relaxation for every level
        if value is None:
            res = linprog(c, bounds=(0, None), method="highs", **_lp_rows(stacked, lb, ub))
            value = -res.fun
        result[level] = value + pinned_days[level]
        level_rows.append((coo_matrix(-c.reshape(1, -1) * (c < 0)).tocsr(), value - 1e-6))
    return result, mode


def _lp_rows(matrix, lb, ub) -> dict:
    """linprog takes only ≤ rows: a ≤ x ≤ b becomes x ≤ b and −x ≤ −a where the side is finite."""
    import numpy as np
    from scipy.sparse import vstack

    upper = np.isfinite(ub)
    lower = np.isfinite(lb)
    return {
        "A_ub": vstack([matrix[upper], -matrix[lower]]).tocsr(),
        "b_ub": np.concatenate([ub[upper], -lb[lower]]),
    }


def measure(name: str, instance: Instance, memory: bool, integer: bool) -> None:
    result = allocate(instance)
    seconds = result.seconds
    peak = None
    if memory:
        tracemalloc.start()
        allocate(instance)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    started = time.perf_counter()
    bound, mode = class_bound(instance, integer=integer)
    bound_seconds = time.perf_counter() - started
    apps, booths, days = len(instance.applications), len(instance.booths), len(instance.days)
    print(f"\n{name}: {apps} applications × {booths} booths × {days} days, seed {instance.seed}")
    print(f"engine {seconds:.2f} s" + (f", peak {peak:.0f} MiB (tracemalloc)" if peak is not None else ""))
    print(f"bound: class model {mode}, {bound_seconds:.1f} s")
    print(f"{'priority':>8} {'asked':>8} {'engine':>8} {'bound':>10} {'ratio':>8}")
    for level, figures in result.levels.items():
        ratio = figures["booth_days"] / bound[level] if bound[level] else 1.0
        print(
            f"{level:>8} {figures['asked_booth_days']:>8} {figures['booth_days']:>8} "
            f"{bound[level]:>10.1f} {ratio:>8.2%}"
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
    parser.add_argument("--lp", action="store_true", help="bound with the LP relaxation only (faster)")
    parser.add_argument("--write-instance", help="write the (last) generated instance as JSON to this file")
    args = parser.parse_args()
    for name in args.sizes:
        instance = generate(*SIZES[name], seed=args.seed)
        if args.write_instance:
            Path(args.write_instance).write_text(json.dumps(instance_json(instance), ensure_ascii=False))
        measure(name, instance, memory=not args.no_memory, integer=not args.lp)


if __name__ == "__main__":
    main()
