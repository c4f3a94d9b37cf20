"""Re-planning a class of booths by configurations (booths.allocation.repack, engine step 6)."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from booths.allocation import engine, repack
from booths.allocation.engine import ApplicationIn, BoothIn, Instance

DAY0, DAY1, DAY2 = 0b001, 0b010, 0b100
WATER = 0b1
PLENTY = 10**9  # pricing steps


def piece(days: int, needs: int = 0) -> repack.Piece:
    return (needs, days)


def high(days: int, needs: int = 0, level: int = 1) -> repack.Higher:
    return (needs, days, level)


def test_best_plan_pairs_each_higher_application_with_what_completes_its_booth():
    # Two booths, three days. Now both higher applications share one booth: only day 0 is left
    # there, and nothing waiting asks for day 0 alone, so the level has 2 booth-days. Split, each
    # booth takes a two-day request: 4.
    now = Counter({((high(DAY1), high(DAY2)), ()): 1, ((), (piece(DAY0 | DAY1),)): 1})
    booths = repack.BoothClass(0, 0b111, 2, now)
    higher = Counter([high(DAY1), high(DAY2)])
    supply = Counter([piece(DAY0 | DAY1), piece(DAY0 | DAY2)])
    plans = repack.best_plan([booths], higher, supply, [PLENTY])
    assert plans == [
        Counter({((high(DAY1),), (piece(DAY0 | DAY2),)): 1, ((high(DAY2),), (piece(DAY0 | DAY1),)): 1})
    ]


def test_best_plan_is_none_when_the_booths_already_hold_the_best():
    now = Counter({((high(DAY1),), (piece(DAY0 | DAY2),)): 1, ((high(DAY2),), (piece(DAY0 | DAY1),)): 1})
    higher = Counter([high(DAY1), high(DAY2)])
    supply = Counter([piece(DAY0 | DAY1), piece(DAY0 | DAY2)])
    assert repack.best_plan([repack.BoothClass(0, 0b111, 2, now)], higher, supply, [PLENTY]) is None


def test_best_plan_moves_a_higher_application_to_another_class_to_free_the_water_booth():
    # One water booth and one plain booth, one day. A higher application without needs holds the
    # water booth; the level's only request needs water. Planned together, the higher one moves.
    water = repack.BoothClass(WATER, DAY0, 1, Counter({((high(DAY0),), ()): 1}))
    plain = repack.BoothClass(0, DAY0, 1, Counter({repack.EMPTY: 1}))
    plans = repack.best_plan([water, plain], Counter([high(DAY0)]), Counter([piece(DAY0, WATER)]), [PLENTY])
    assert plans == [Counter({((), (piece(DAY0, WATER),)): 1}), Counter({((high(DAY0),), ()): 1})]


def test_best_plan_exchanges_a_higher_application_for_a_waiting_one_with_as_many_days():
    # One booth, three days. The higher level holds it on day 1; its waiting application for day 0
    # has as many days, and in its place the level's request for days 1-2 fits.
    now = Counter({((high(DAY1),), ()): 1})
    higher = Counter([high(DAY1), high(DAY0)])
    plans = repack.best_plan(
        [repack.BoothClass(0, 0b111, 1, now)], higher, Counter([piece(DAY1 | DAY2)]), [PLENTY]
    )
    assert plans == [Counter({((high(DAY0),), (piece(DAY1 | DAY2),)): 1})]


def test_best_plan_never_trades_a_higher_level_booth_day_for_the_level():
    # As above, but the waiting higher application is not the same level's: level 2 holds day 1,
    # level 1 waits for day 0. Level 2 would lose a booth-day, so nothing changes.
    now = Counter({((high(DAY1, level=2),), ()): 1})
    higher = Counter([high(DAY1, level=2), high(DAY0)])
    plans = repack.best_plan(
        [repack.BoothClass(0, 0b111, 1, now)], higher, Counter([piece(DAY1 | DAY2)]), [PLENTY]
    )
    assert plans is None


def test_best_plan_on_booths_open_on_late_days_of_a_long_site():
    # The first case on booths open on days 27-29 of a 30-day site: the DP works on those three
    # days only (its tables are 2^open days, not 2^30) and the plan comes back in the site's days.
    def late(m: int) -> repack.Piece:
        return piece(m << 27)

    def late_high(m: int) -> repack.Higher:
        return high(m << 27)

    now = Counter({((late_high(DAY1), late_high(DAY2)), ()): 1, ((), (late(DAY0 | DAY1),)): 1})
    higher = Counter([late_high(DAY1), late_high(DAY2)])
    supply = Counter([late(DAY0 | DAY1), late(DAY0 | DAY2)])
    plans = repack.best_plan([repack.BoothClass(0, 0b111 << 27, 2, now)], higher, supply, [PLENTY])
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
        classes.append(repack.BoothClass(WATER if has_water else 0, 0b1111, 1, Counter([config])))
        held.update(kept)
    higher = held + Counter(high(days, WATER if w else 0, level) for days, w, level in spare)
    supply = Counter(piece(days, WATER if w else 0) for days, w in waiting)
    plans = repack.best_plan(classes, higher, supply, [PLENTY])
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


def badly_laid_out() -> engine._State:
    """Two booths, three days: both higher applications (days 1 and 2) on B0, one of the level's
    two-day requests on B1, the other waiting."""
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
    return s


def test_repack_moves_higher_applications_so_the_lowest_level_gains():
    """Engine step 6 on a state laid out badly: re-planned, each booth holds one higher application
    and one two-day request."""
    s = badly_laid_out()
    engine._repack(s, 0, [2, 3])
    assert s.level_days == {1: 2, 0: 4}
    assert sorted(s.booth_of[:2]) == [0, 1]  # the higher applications kept, one on each booth
    for b in (0, 1):
        held = [s.app_days[a] for a in s.occupants[b]]
        assert sum(held) == 0b111 and len(held) == 2  # disjoint and full


def test_repack_gives_a_higher_place_to_a_waiting_application_of_its_level():
    """One booth, three days: h holds day 1 and nothing of level 0 fits beside it. h2, waiting at
    h's level, wants day 0: in h's place it leaves days 1-2 to the level's request."""
    apps = (
        ApplicationIn("h", days=(1,), priority=1),
        ApplicationIn("h2", days=(0,), priority=1),
        ApplicationIn("l", days=(1, 2)),
    )
    s = engine._State(Instance(("d0", "d1", "d2"), (BoothIn("B0"),), apps))
    s.place(0, 0)
    engine._repack(s, 0, [2])
    assert s.booth_of == [-1, 0, 0]
    assert s.level_days == {1: 1, 0: 2}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.data())
def test_repack_keeps_the_hard_rules_and_the_higher_levels_booth_days(data):
    """Random layouts of two levels on up to five booths (a few with water, a few closed a day):
    re-planning never breaks a booth-day, a need or a closed day, never costs the higher level or
    this one booth-days, keeps the pins where they were, and keeps every higher application when
    none of that level waits."""
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
    higher_waited = any(apps[a].priority == 1 and s.booth_of[a] < 0 for a in range(len(apps)))
    pins = {a: s.booth_of[a] for a in range(len(apps)) if s.pinned[a]}
    before = dict(s.level_days)
    engine._repack(s, 0, [a for a in range(len(apps)) if apps[a].priority == 0 and not s.pinned[a]])
    assert s.level_days[0] >= before.get(0, 0)
    assert s.level_days[1] >= before.get(1, 0)
    if not higher_waited:
        assert {a for a in range(len(apps)) if apps[a].priority == 1 and s.booth_of[a] >= 0} == higher_before
    assert all(s.booth_of[a] == b for a, b in pins.items())
    for b in range(len(booths)):
        used = 0
        for a in s.occupants[b]:
            assert s.booth_of[a] == b and s.fits_alone(a, b) and not s.app_days[a] & used
            used |= s.app_days[a]
        assert used == s.occ[b]


def test_repack_fills_what_a_plan_leaves_free(monkeypatch):
    """A plan is the best over the configurations found, not over all: days it leaves free on the
    booths it changes take what waits, as the hole filling would (else the priority guard later
    gives them to a higher level at the lower one's cost). Here the plan puts only the day-0
    request on B1; day 1 must still take the day-1 request."""
    booths = (BoothIn("B0"), BoothIn("B1"))
    apps = (
        ApplicationIn("h", days=(0, 1), priority=1),
        ApplicationIn("l0", days=(0,)),
        ApplicationIn("l1", days=(1,)),
    )
    s = engine._State(Instance(("d0", "d1"), booths, apps))
    s.place(0, 0)
    # level 1 has no one waiting, so its pieces are named alike (-1) and each of them stays
    poor = [Counter({((high(0b11, level=-1),), ()): 1, ((), (piece(0b01),)): 1})]
    monkeypatch.setattr(repack, "best_plan", lambda classes, higher, supply, work: poor)
    engine._repack(s, 0, [1, 2])
    assert s.booth_of == [0, 1, 1]
    assert s.level_days[0] == 2


def test_repack_stops_when_the_pricing_work_is_spent(monkeypatch):
    """The badly laid-out case, with no pricing steps left: nothing is re-planned."""
    s = badly_laid_out()
    monkeypatch.setattr(engine, "_REPACK_WORK", 0)
    engine._repack(s, 0, [2, 3])
    assert s.booth_of == [0, 0, 1, -1]
