"""The best plan for classes of booths, by configurations (booths.allocation.engine.configurations)."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from booths.allocation.engine import Limits, configurations
from booths.allocation.engine.limits import Budget

DAY0, DAY1, DAY2 = 0b001, 0b010, 0b100
WATER = 0b1
PLENTY = 10**9  # pricing steps


def piece(days: int, needs: int = 0) -> configurations.Piece:
    return (needs, days)


def high(days: int, needs: int = 0, level: int = 1) -> configurations.Higher:
    return (needs, days, level)


def test_best_plan_pairs_each_higher_application_with_what_completes_its_booth():
    # Two booths, three days. Now both higher applications share one booth: only day 0 is left
    # there, and nothing waiting asks for day 0 alone, so the level has 2 booth-days. Split, each
    # booth takes a two-day request: 4.
    now = Counter({((high(DAY1), high(DAY2)), ()): 1, ((), (piece(DAY0 | DAY1),)): 1})
    booths = configurations.BoothClass(0, 0b111, 2, now)
    higher = Counter([high(DAY1), high(DAY2)])
    supply = Counter([piece(DAY0 | DAY1), piece(DAY0 | DAY2)])
    plans = configurations.best_plan([booths], higher, supply, Budget(PLENTY), Limits())
    assert plans == [
        Counter({((high(DAY1),), (piece(DAY0 | DAY2),)): 1, ((high(DAY2),), (piece(DAY0 | DAY1),)): 1})
    ]


def test_best_plan_is_none_when_the_booths_already_hold_the_best():
    now = Counter({((high(DAY1),), (piece(DAY0 | DAY2),)): 1, ((high(DAY2),), (piece(DAY0 | DAY1),)): 1})
    higher = Counter([high(DAY1), high(DAY2)])
    supply = Counter([piece(DAY0 | DAY1), piece(DAY0 | DAY2)])
    assert (
        configurations.best_plan(
            [configurations.BoothClass(0, 0b111, 2, now)], higher, supply, Budget(PLENTY), Limits()
        )
        is None
    )


def test_best_plan_moves_a_higher_application_to_another_class_to_free_the_water_booth():
    # One water booth and one plain booth, one day. A higher application without needs holds the
    # water booth; the level's only request needs water. Planned together, the higher one moves.
    water = configurations.BoothClass(WATER, DAY0, 1, Counter({((high(DAY0),), ()): 1}))
    plain = configurations.BoothClass(0, DAY0, 1, Counter({configurations.EMPTY: 1}))
    plans = configurations.best_plan(
        [water, plain], Counter([high(DAY0)]), Counter([piece(DAY0, WATER)]), Budget(PLENTY), Limits()
    )
    assert plans == [Counter({((), (piece(DAY0, WATER),)): 1}), Counter({((high(DAY0),), ()): 1})]


def test_best_plan_exchanges_a_higher_application_for_a_waiting_one_with_as_many_days():
    # One booth, three days. The higher level holds it on day 1; its waiting application for day 0
    # has as many days, and in its place the level's request for days 1-2 fits.
    now = Counter({((high(DAY1),), ()): 1})
    higher = Counter([high(DAY1), high(DAY0)])
    plans = configurations.best_plan(
        [configurations.BoothClass(0, 0b111, 1, now)],
        higher,
        Counter([piece(DAY1 | DAY2)]),
        Budget(PLENTY),
        Limits(),
    )
    assert plans == [Counter({((high(DAY0),), (piece(DAY1 | DAY2),)): 1})]


def test_best_plan_never_trades_a_higher_level_booth_day_for_the_level():
    # As above, but the waiting higher application is not the same level's: level 2 holds day 1,
    # level 1 waits for day 0. Level 2 would lose a booth-day, so nothing changes.
    now = Counter({((high(DAY1, level=2),), ()): 1})
    higher = Counter([high(DAY1, level=2), high(DAY0)])
    plans = configurations.best_plan(
        [configurations.BoothClass(0, 0b111, 1, now)],
        higher,
        Counter([piece(DAY1 | DAY2)]),
        Budget(PLENTY),
        Limits(),
    )
    assert plans is None


def test_best_plan_on_booths_open_on_late_days_of_a_long_site():
    # The first case on booths open on days 27-29 of a 30-day site: the DP works on those three
    # days only (its tables are 2^open days, not 2^30) and the plan comes back in the site's days.
    def late(m: int) -> configurations.Piece:
        return piece(m << 27)

    def late_high(m: int) -> configurations.Higher:
        return high(m << 27)

    now = Counter({((late_high(DAY1), late_high(DAY2)), ()): 1, ((), (late(DAY0 | DAY1),)): 1})
    higher = Counter([late_high(DAY1), late_high(DAY2)])
    supply = Counter([late(DAY0 | DAY1), late(DAY0 | DAY2)])
    plans = configurations.best_plan(
        [configurations.BoothClass(0, 0b111 << 27, 2, now)], higher, supply, Budget(PLENTY), Limits()
    )
    assert plans == [
        Counter(
            {
                ((late_high(DAY1),), (late(DAY0 | DAY2),)): 1,
                ((late_high(DAY2),), (late(DAY0 | DAY1),)): 1,
            }
        )
    ]


masks = st.integers(1, 0b1111)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(st.booleans(), st.lists(st.tuples(masks, st.booleans(), st.integers(1, 2)), max_size=3)),
        min_size=1,
        max_size=5,
    ),
    st.lists(st.tuples(masks, st.booleans(), st.integers(1, 2)), max_size=4),
    st.lists(st.tuples(masks, st.booleans()), max_size=12),
)
def test_best_plan_keeps_the_higher_levels_and_the_supply(booths, spare, waiting):
    """Random booths (four days, some with water), each its own class, holding higher applications
    of levels 1 and 2 (some needing water), with some higher ones waiting: a plan puts each higher
    piece on a booth with its needs, no more of a piece than there are, keeps each higher level's
    booth-days, takes no more of the level's pieces than the supply, fills every booth with
    disjoint days, and gains."""
    classes = []
    held: Counter = Counter()
    for has_water, placed in booths:
        used, kept = 0, []
        for days, needs_water, level in placed:
            if not days & used and (has_water or not needs_water):
                used |= days
                kept.append(high(days, WATER if needs_water else 0, level))
        config = (tuple(sorted(kept)), ())
        classes.append(configurations.BoothClass(WATER if has_water else 0, 0b1111, 1, Counter([config])))
        held.update(kept)
    higher = held + Counter(high(days, WATER if w else 0, level) for days, w, level in spare)
    supply = Counter(piece(days, WATER if w else 0) for days, w in waiting)
    plans = configurations.best_plan(classes, higher, supply, Budget(PLENTY), Limits())
    if plans is None:
        return
    placed_higher: Counter = Counter()
    placed_mine: Counter = Counter()
    for booth_class, plan in zip(classes, plans, strict=True):
        assert plan.total() == booth_class.booths
        for (hs, mine), n in plan.items():
            used = 0
            for p in hs + mine:
                assert booth_class.fits(p) and not p[1] & used
                used |= p[1]
            placed_higher.update({p: n for p in hs})
            placed_mine.update({p: n for p in mine})
    assert all(placed_higher[p] <= higher[p] for p in placed_higher)
    for level in (1, 2):
        planned = sum(p[1].bit_count() * n for p, n in placed_higher.items() if p[2] == level)
        assert planned >= sum(p[1].bit_count() * n for p, n in held.items() if p[2] == level)
    if not spare:
        assert placed_higher == held
    assert all(placed_mine[p] <= supply[p] for p in placed_mine)
    assert sum(p[1].bit_count() * n for p, n in placed_mine.items()) > 0
