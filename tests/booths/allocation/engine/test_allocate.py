"""allocate() on random small instances: hard rules, determinism, priorities, optimality."""

from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.allocation import exact_optimum, generate
from booths.allocation.engine import ApplicationIn, BoothIn, Instance, Limits, allocate, lottery
from booths.allocation.instance import result_json

FEATURES = ("power", "water", "accessible")


@st.composite
def instances(draw, max_days=4, max_booths=6, max_apps=12) -> Instance:
    n_days = draw(st.integers(1, max_days))
    day_sets = st.sets(st.integers(0, n_days - 1), min_size=1).map(lambda s: tuple(sorted(s)))
    n_booths = draw(st.integers(1, max_booths))
    booths = []
    for i in range(n_booths):
        available = draw(st.one_of(st.none(), day_sets))
        features = frozenset(draw(st.sets(st.sampled_from(FEATURES), max_size=2)))
        neighbours = tuple(f"B{j}" for j in (i - 1, i + 1) if 0 <= j < n_booths)
        booths.append(
            BoothIn(f"B{i}", draw(st.sampled_from("AB")), "standard", features, neighbours, available)
        )
    apps = []
    taken: set[tuple[str, int]] = set()
    for i in range(draw(st.integers(0, max_apps))):
        days = draw(day_sets)
        needs = frozenset(draw(st.sets(st.sampled_from(FEATURES), max_size=1)))
        pinned = None
        if draw(st.integers(0, 9)) == 0:
            for b in booths:
                open_days = set(range(n_days)) if b.days is None else set(b.days)
                cells = {(b.id, d) for d in days}
                if needs <= b.features and set(days) <= open_days and not cells & taken:
                    pinned = b.id
                    taken |= cells
                    break
        apps.append(
            ApplicationIn(
                id=f"app-{i}",
                days=days,
                category=draw(st.sampled_from(["5005", "1002"])),
                county=draw(st.sampled_from(["", "khorramabad", "borujerd"])),
                group=draw(st.sampled_from([None, "10100000001"])),
                priority=draw(st.integers(0, 2)),
                needs=needs,
                prefer_zones=tuple(draw(st.sets(st.sampled_from("AB"), max_size=1))),
                pinned=pinned,
                category_group=draw(st.sampled_from(["", "5", "1"])),
            )
        )
    days = tuple(f"2027-03-{15 + d}" for d in range(n_days))
    quotas = tuple(
        (group, draw(st.integers(0, 100)))
        for group in draw(st.lists(st.sampled_from(["5", "1"]), unique=True, max_size=2))
    )
    return Instance(days, tuple(booths), tuple(apps), seed=draw(st.integers(0, 1000)), quotas=quotas)


def available(booth: BoothIn, n_days: int) -> set[int]:
    return set(range(n_days)) if booth.days is None else set(booth.days)


def quota_limits(instance: Instance) -> dict[str, int]:
    """Category group -> most booth-days: floor(percent × the booths' available days / 100)."""
    capacity = sum(len(available(b, len(instance.days))) for b in instance.booths)
    return {group: percent * capacity // 100 for group, percent in instance.quotas}


def booth_days_per_group(instance: Instance, result) -> dict[str, int]:
    apps = {a.id: a for a in instance.applications}
    used = defaultdict(int)
    for p in result.assignments:
        used[apps[p.application].category_group] += len(p.days)
    return used


def booth_days_per_level(instance: Instance, result) -> dict[int, int]:
    apps = {a.id: a for a in instance.applications}
    totals = defaultdict(int)
    for p in result.assignments:
        totals[apps[p.application].priority] += len(p.days)
    return totals


SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(instances())
def test_allocate_keeps_the_hard_rules(instance):
    assert_hard_rules(instance, allocate(instance))


def assert_hard_rules(instance: Instance, result) -> None:
    booths = {b.id: b for b in instance.booths}
    apps = {a.id: a for a in instance.applications}
    cells = set()
    for p in result.assignments:
        app, booth = apps[p.application], booths[p.booth]
        assert p.days == app.days  # all its days, one booth
        assert app.needs <= booth.features
        assert set(p.days) <= available(booth, len(instance.days))
        if app.pinned is not None:
            assert p.booth == app.pinned
        for d in p.days:
            assert (p.booth, d) not in cells
            cells.add((p.booth, d))
    placed = [p.application for p in result.assignments]
    unplaced = [u.application for u in result.unassigned]
    assert sorted(placed + unplaced) == sorted(apps)
    assert len(set(placed)) == len(placed)


@SETTINGS
@given(instances())
def test_allocate_same_input_and_seed_give_the_same_bytes(instance):
    assert result_json(allocate(instance)) == result_json(allocate(instance))


@SETTINGS
@given(instances())
def test_allocate_no_unplaced_application_could_take_a_lower_priority_booth(instance):
    result = allocate(instance)
    apps = {a.id: a for a in instance.applications}
    booths = {b.id: b for b in instance.booths}
    holders = defaultdict(dict)  # booth -> day -> application
    for p in result.assignments:
        for d in p.days:
            holders[p.booth][d] = apps[p.application]
    limits, used = quota_limits(instance), booth_days_per_group(instance, result)
    for refusal in result.unassigned:
        high = apps[refusal.application]
        for p in result.assignments:
            low = apps[p.application]
            if low.priority >= high.priority or low.pinned is not None:
                continue  # pins are the organiser's and hard
            booth = booths[p.booth]
            if not (high.needs <= booth.features and set(high.days) <= available(booth, len(instance.days))):
                continue
            group = high.category_group
            if group in limits:  # the quota, with low's booth-days given back when it is of the group
                freed = len(low.days) if low.category_group == group else 0
                if used[group] - freed + len(high.days) > limits[group]:
                    continue
            others = [holders[p.booth].get(d) for d in high.days]
            assert not all(o is None or o.id == low.id for o in others), (high.id, low.id, booth.id)


@SETTINGS
@given(instances())
def test_allocate_never_exceeds_a_quota_except_by_pins(instance):
    result = allocate(instance)
    apps = {a.id: a for a in instance.applications}
    limits, used = quota_limits(instance), booth_days_per_group(instance, result)
    for group, limit in limits.items():
        if used[group] > limit:  # pins are never dropped; then nothing else of the group is placed
            placed = [apps[p.application] for p in result.assignments]
            assert all(a.pinned is not None for a in placed if a.category_group == group), group
    refused = {u.application: u for u in result.unassigned}
    for app_id, refusal in refused.items():
        if refusal.code == "quota_full":
            app = apps[app_id]
            assert used[app.category_group] + len(app.days) > limits[app.category_group]
            assert refusal.facts["limit"] == limits[app.category_group]


def test_allocate_keeps_quotas_on_ten_day_instances_past_the_exact_step():
    """Realistic instances too large for the exact step, with category groups (the category's first
    digit) and two quotas that bind: every search, class re-planning included, keeps them."""
    import dataclasses

    for apps, booths, seed in ((200, 40, 1), (600, 120, 2), (1200, 240, 3)):
        instance = generate(apps, booths, 10, seed=seed)
        grouped = tuple(dataclasses.replace(a, category_group=a.category[0]) for a in instance.applications)
        instance = dataclasses.replace(instance, applications=grouped, quotas=(("5", 30), ("1", 25)))
        limits, used = quota_limits(instance), booth_days_per_group(instance, allocate(instance))
        pinned = defaultdict(int)
        for a in instance.applications:
            if a.pinned is not None:
                pinned[a.category_group] += len(a.days)
        assert all(used[group] <= max(limit, pinned[group]) for group, limit in limits.items()), used


def random_tiny_instance(rng) -> Instance:
    """Up to 3 days × 4 booths × 8 applications, drawn from a seeded generator (no hypothesis)."""
    n_days = rng.randint(1, 3)

    def day_set():
        return tuple(sorted(rng.sample(range(n_days), rng.randint(1, n_days))))

    n_booths = rng.randint(1, 4)
    booths = tuple(
        BoothIn(
            f"B{i}",
            rng.choice("AB"),
            "standard",
            frozenset(rng.sample(FEATURES, rng.randint(0, 2))),
            tuple(f"B{j}" for j in (i - 1, i + 1) if 0 <= j < n_booths),
            None if rng.random() < 0.5 else day_set(),
        )
        for i in range(n_booths)
    )
    apps = tuple(
        ApplicationIn(
            id=f"app-{i}",
            days=day_set(),
            category=rng.choice(["5005", "1002"]),
            group=rng.choice([None, "10100000001"]),
            priority=rng.randint(0, 2),
            needs=frozenset(rng.sample(FEATURES, rng.randint(0, 1))),
            prefer_zones=(),
            pinned=None,
        )
        for i in range(rng.randint(0, 8))
    )
    return Instance(
        tuple(f"2027-03-{15 + d}" for d in range(n_days)), booths, apps, seed=rng.randint(0, 1000)
    )


def test_allocate_reaches_the_exact_optimum_per_level_on_every_tiny_instance():
    """The product goal is 99% of the optimum at every level; on a small instance one booth-day is
    more than 1%, so there the engine solves the instance exactly (booths.allocation.engine.exact).
    Checked against the bench's independent exact solver on 300 seeded tiny instances, one by one."""
    import random

    rng = random.Random(1404)
    for _ in range(300):
        instance = random_tiny_instance(rng)
        best = exact_optimum(instance)
        got = booth_days_per_level(instance, allocate(instance))
        assert {level: got[level] for level in best} == best, instance


def test_allocate_reaches_the_exact_optimum_per_level_on_every_small_ten_day_instance():
    """Realistic ten-day instances (bench/allocation.py's generator, 60 applications × 12 booths),
    each at the exact optimum at every level. The heuristic alone missed a level on 4 of these 20
    (level 0: 31 for 32, 6 for 7, 8 for 10; level 1: 86 for 87)."""
    for seed in range(1, 21):
        instance = generate(60, 12, 10, seed=seed)
        best = exact_optimum(instance)
        got = booth_days_per_level(instance, allocate(instance))
        assert {level: got[level] for level in best} == best, seed


def test_heuristic_reaches_99_percent_of_the_exact_optimum_per_level_on_ten_day_instances():
    """The heuristic by itself (what larger instances get), summed over the same 20 instances.
    Without the plateau search (engine step 5) it reaches only 98.0% at level 0 and 98.9% at level 1."""
    heuristic = Limits(exact_pairs=0)
    engine_total: dict[int, int] = defaultdict(int)
    best_total: dict[int, int] = defaultdict(int)
    for seed in range(1, 21):
        instance = generate(60, 12, 10, seed=seed)
        for level, days in booth_days_per_level(instance, allocate(instance, heuristic)).items():
            engine_total[level] += days
        for level, days in exact_optimum(instance).items():
            best_total[level] += days
    ratios = {level: engine_total[level] / best_total[level] for level in best_total if best_total[level]}
    assert min(ratios.values()) >= 0.99, ratios


def test_allocate_reaches_the_exact_optimum_on_mid_size_ten_day_instances():
    """200 applications × 40 booths × 10 days: past the exact step's size, so the heuristic and the
    class re-planning (all classes in one model at this size) do it. Before re-planning, level 1
    was 242 of 247 on seed 4 and 205 of 213 on seed 6; before it could exchange a higher
    application for a waiting one of its level, level 0 was 53 of 54 on seed 1 and 29 of 31 on
    seed 4."""
    for seed in (1, 4, 6):
        instance = generate(200, 40, 10, seed=seed)
        assert booth_days_per_level(instance, allocate(instance)) == exact_optimum(instance), seed


def test_lottery_is_the_sorted_ids_shuffled_by_the_seed():
    import random

    ids = ["app-3", "app-1", "app-2", "app-10"]
    expected = sorted(ids)
    random.Random(5).shuffle(expected)
    assert lottery(ids, 5) == expected


def test_allocate_pin_wins_over_higher_priority():
    booth = BoothIn("B0")
    apps = (
        ApplicationIn("app-1", (0,), priority=3),
        ApplicationIn("app-2", (0,), priority=0, pinned="B0"),
    )
    result = allocate(Instance(("2027-03-15",), (booth,), apps, seed=1))
    assert [(p.application, p.booth, p.code) for p in result.assignments] == [("app-2", "B0", "pinned")]
    assert [(u.application, u.code) for u in result.unassigned] == [("app-1", "booths_full_on_days")]


def test_allocate_higher_priority_takes_the_booth_first():
    booth = BoothIn("B0")
    apps = (ApplicationIn("low", (0, 1), priority=0), ApplicationIn("high", (1,), priority=1))
    result = allocate(Instance(("2027-03-15", "2027-03-16"), (booth,), apps, seed=1))
    assert [p.application for p in result.assignments] == ["high"]


def test_allocate_codes_for_needs_and_days():
    booths = (BoothIn("B0", features=frozenset({"power"}), days=(0,)),)
    apps = (ApplicationIn("water", (0,), needs=frozenset({"water"})), ApplicationIn("late", (1,)))
    result = allocate(Instance(("2027-03-15", "2027-03-16"), booths, apps))
    assert [(u.application, u.code) for u in result.unassigned] == [
        ("late", "no_booth_on_days"),
        ("water", "no_booth_with_needs"),
    ]


def test_allocate_keeps_water_booths_for_those_who_need_water():
    booths = (BoothIn("W", features=frozenset({"water"})), BoothIn("P"))
    apps = (ApplicationIn("dry", (0,)), ApplicationIn("wet", (0,), needs=frozenset({"water"})))
    result = allocate(Instance(("2027-03-15",), booths, apps, seed=0))
    assert sorted((p.application, p.booth) for p in result.assignments) == [("dry", "P"), ("wet", "W")]


def test_allocate_prefers_the_zone_asked_for():
    booths = (BoothIn("A1", zone="A"), BoothIn("B1", zone="B"))
    apps = (ApplicationIn("app-1", (0,), prefer_zones=("B",)),)
    result = allocate(Instance(("2027-03-15",), booths, apps))
    assert [(p.booth, p.code) for p in result.assignments] == [("B1", "preferred")]


def test_allocate_avoids_the_same_category_side_by_side():
    booths = (
        BoothIn("B0", neighbours=("B1",)),
        BoothIn("B1", neighbours=("B0", "B2")),
        BoothIn("B2", neighbours=("B1",)),
    )
    apps = (ApplicationIn("a", (0,), category="5005"), ApplicationIn("b", (0,), category="5005"))
    result = allocate(Instance(("2027-03-15",), booths, apps))
    assert sorted(p.booth for p in result.assignments) == ["B0", "B2"]


def test_allocate_quota_refuses_with_quota_full_and_counts_pins():
    # 2 booths × 2 days = 4 booth-days; group "5" may hold 50%: 2 booth-days, one of them pinned.
    booths = (BoothIn("B0"), BoothIn("B1"))
    apps = (
        ApplicationIn("pinned", (0,), category_group="5", pinned="B0"),
        ApplicationIn("food", (0, 1), priority=2, category_group="5"),
        ApplicationIn("snack", (1,), category_group="5"),
        ApplicationIn("craft", (0, 1), category_group="1"),
    )
    instance = Instance(("2027-03-15", "2027-03-16"), booths, apps, seed=3, quotas=(("5", 50),))
    result = allocate(instance)
    placed = {p.application: p.booth for p in result.assignments}
    assert placed == {"pinned": "B0", "snack": placed["snack"], "craft": "B1"}
    refusal = next(u for u in result.unassigned if u.application == "food")
    assert refusal.code == "quota_full"
    assert (refusal.facts["limit"], refusal.facts["used"], refusal.facts["percent"]) == (2, 2, 50)


def test_allocate_spreads_counties_between_neighbours():
    """Equal in all else (different categories, no groups, no preferences), two vendors of one county
    are not put side by side while a booth away from both is free."""
    booths = (
        BoothIn("B0", neighbours=("B1",)),
        BoothIn("B1", neighbours=("B0", "B2")),
        BoothIn("B2", neighbours=("B1",)),
    )
    same = (
        ApplicationIn("a", (0,), category="5005", county="dorud"),
        ApplicationIn("b", (0,), category="1002", county="dorud"),
    )
    result = allocate(Instance(("2027-03-15",), booths, same))
    assert sorted(p.booth for p in result.assignments) == ["B0", "B2"]
    # Without counties the plan's order decides: side by side.
    apart = tuple(ApplicationIn(a.id, a.days, category=a.category) for a in same)
    result = allocate(Instance(("2027-03-15",), booths, apart))
    assert sorted(p.booth for p in result.assignments) == ["B0", "B1"]
