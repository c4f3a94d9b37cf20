"""Re-planning a class of booths by configurations (booths.allocation.repack and engine step 6)."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from booths.allocation import engine, repack
from booths.allocation.engine import ApplicationIn, BoothIn, Instance

DAY0, DAY1, DAY2 = 0b001, 0b010, 0b100


def level_days(plan: Counter) -> int:
    return sum(sum(m.bit_count() for m in mine) * n for (_higher, mine), n in plan.items())


def test_best_configs_pairs_each_higher_application_with_what_completes_its_booth():
    # Two booths, three days. Now both higher applications share one booth: only day 0 is left
    # there, and nothing waiting asks for day 0 alone, so the level has 2 booth-days. Split, each
    # booth takes a two-day request: 4.
    now = Counter({((DAY1, DAY2), ()): 1, ((), (DAY0 | DAY1,)): 1})
    higher = Counter({DAY1: 1, DAY2: 1})
    supply = Counter({DAY0 | DAY1: 1, DAY0 | DAY2: 1})
    plan = repack.best_configs(0b111, 2, higher, supply, now)
    assert plan == Counter({((DAY1,), (DAY0 | DAY2,)): 1, ((DAY2,), (DAY0 | DAY1,)): 1})


def test_best_configs_is_none_when_the_booths_already_hold_the_best():
    now = Counter({((DAY1,), (DAY0 | DAY2,)): 1, ((DAY2,), (DAY0 | DAY1,)): 1})
    higher = Counter({DAY1: 1, DAY2: 1})
    supply = Counter({DAY0 | DAY1: 1, DAY0 | DAY2: 1})
    assert repack.best_configs(0b111, 2, higher, supply, now) is None


masks = st.integers(1, 0b1111)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.lists(st.lists(masks, max_size=3), min_size=1, max_size=5),
    st.lists(masks, max_size=12),
)
def test_best_configs_keeps_every_higher_application_and_the_supply(booth_masks, waiting):
    """Random classes of up to five four-day booths: a plan places every higher application, takes
    no more of a days mask than the supply, fills every booth with disjoint masks, and gains."""
    open_days = 0b1111
    now: Counter = Counter()
    higher: Counter = Counter()
    for held in booth_masks:
        used, kept = 0, []
        for m in held:
            if not m & used:
                used |= m
                kept.append(m)
        now[(tuple(sorted(kept)), ())] += 1
        higher.update(kept)
    supply = Counter(waiting)
    plan = repack.best_configs(open_days, len(booth_masks), higher, supply, now)
    if plan is None:
        return
    assert sum(plan.values()) == len(booth_masks)
    placed_higher: Counter = Counter()
    placed_mine: Counter = Counter()
    for (hs, mine), n in plan.items():
        used = 0
        for m in hs + mine:
            assert not m & used and not m & ~open_days
            used |= m
        for m in hs:
            placed_higher[m] += n
        for m in mine:
            placed_mine[m] += n
    assert placed_higher == higher
    assert all(placed_mine[m] <= supply[m] for m in placed_mine)
    assert level_days(plan) > 0


def test_repack_moves_higher_applications_so_the_lowest_level_gains():
    """Engine step 6 on a state laid out badly: both higher applications on B0, one request on B1.
    Re-planned, each booth holds one higher application and one two-day request."""
    booths = (BoothIn("B0"), BoothIn("B1"))
    apps = (
        ApplicationIn("h1", days=(1,), priority=1),
        ApplicationIn("h2", days=(2,), priority=1),
        ApplicationIn("l1", days=(0, 1)),
        ApplicationIn("l2", days=(0, 2)),
    )
    s = engine._State(Instance(("d0", "d1", "d2"), booths, apps))
    s.place(0, 0)
    s.place(1, 0)
    s.place(2, 1)
    engine._repack(s, 0, [2, 3])
    assert s.level_days == {1: 2, 0: 4}
    assert sorted(s.booth_of[:2]) == [0, 1]  # the higher applications kept, one on each booth
    for b in (0, 1):
        held = [s.app_days[a] for a in s.occupants[b]]
        assert sum(held) == 0b111 and len(held) == 2  # disjoint and full


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.data())
def test_repack_keeps_the_hard_rules_and_every_higher_application(data):
    """Random layouts of two levels on up to five booths (a few with water, a few closed a day):
    re-planning never breaks a booth-day, a need or a closed day, keeps every higher application
    and the pins where they were, and never costs the level booth-days."""
    n_days = data.draw(st.integers(2, 4))
    day_sets = st.sets(st.integers(0, n_days - 1), min_size=1).map(lambda s: tuple(sorted(s)))
    booths = tuple(
        BoothIn(
            f"B{i}",
            features=data.draw(st.sampled_from([frozenset()] * 3 + [frozenset({"water"})])),
            days=data.draw(st.one_of(st.none(), st.none(), day_sets)),
        )
        for i in range(data.draw(st.integers(2, 5)))
    )
    apps = tuple(
        ApplicationIn(
            f"a{i}",
            days=data.draw(day_sets),
            priority=data.draw(st.integers(0, 1)),
            needs=data.draw(st.sampled_from([frozenset()] * 3 + [frozenset({"water"})])),
        )
        for i in range(data.draw(st.integers(4, 20)))
    )
    s = engine._State(Instance(tuple(f"d{d}" for d in range(n_days)), booths, apps))
    for a in range(len(apps)):  # first fit in a drawn booth order: a poor layout
        for b in data.draw(st.permutations(range(len(booths)))):
            if s.fits_alone(a, b) and not s.app_days[a] & s.occ[b]:
                if data.draw(st.integers(0, 5)) == 0:
                    s.pinned[a] = True
                s.place(a, b)
                break
    higher_before = {a for a in range(len(apps)) if apps[a].priority == 1 and s.booth_of[a] >= 0}
    pins = {a: s.booth_of[a] for a in range(len(apps)) if s.pinned[a]}
    before = s.level_days[0]
    engine._repack(s, 0, [a for a in range(len(apps)) if apps[a].priority == 0 and not s.pinned[a]])
    assert s.level_days[0] >= before
    assert {a for a in range(len(apps)) if apps[a].priority == 1 and s.booth_of[a] >= 0} == higher_before
    assert all(s.booth_of[a] == b for a, b in pins.items())
    for b in range(len(booths)):
        used = 0
        for a in s.occupants[b]:
            assert s.booth_of[a] == b and s.fits_alone(a, b) and not s.app_days[a] & used
            used |= s.app_days[a]
        assert used == s.occ[b]


def test_best_configs_on_booths_open_on_late_days_of_a_long_site():
    # The same two booths as above, open on days 27-29 of a 30-day site: the DP works on those three
    # days only (its tables are 2^open days, not 2^30) and the plan comes back in the site's days.
    def late(m: int) -> int:
        return m << 27

    now = Counter({((late(DAY1), late(DAY2)), ()): 1, ((), (late(DAY0 | DAY1),)): 1})
    higher = Counter({late(DAY1): 1, late(DAY2): 1})
    supply = Counter({late(DAY0 | DAY1): 1, late(DAY0 | DAY2): 1})
    plan = repack.best_configs(late(0b111), 2, higher, supply, now)
    assert plan == Counter(
        {((late(DAY1),), (late(DAY0 | DAY2),)): 1, ((late(DAY2),), (late(DAY0 | DAY1),)): 1}
    )
