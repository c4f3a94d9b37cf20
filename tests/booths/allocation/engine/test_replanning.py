"""Class re-planning of a state laid out badly (booths.allocation.engine.replanning, engine step 6)."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from booths.allocation.engine import ApplicationIn, BoothIn, Instance, Limits
from booths.allocation.engine.replanning import Pieces, lay_out, replan
from booths.allocation.engine.state import State
from booths.allocation.engine.tiling import level_pools
from tests.booths.allocation.engine.test_configurations import high, piece


def badly_laid_out() -> State:
    """Two booths, three days: both higher applications (days 1 and 2) on B0, one of the level's
    two-day requests on B1, the other waiting."""
    booths = (BoothIn("B0"), BoothIn("B1"))
    apps = (
        ApplicationIn("h1", days=(1,), priority=1),
        ApplicationIn("h2", days=(2,), priority=1),
        ApplicationIn("l1", days=(0, 1)),
        ApplicationIn("l2", days=(0, 2)),
    )
    s = State(Instance(("d0", "d1", "d2"), booths, apps))
    s.place(0, 0)
    s.place(1, 0)
    s.place(2, 1)
    return s


def test_replan_moves_higher_applications_so_the_lowest_level_gains():
    """Engine step 6 on a state laid out badly: re-planned, each booth holds one higher application
    and one two-day request."""
    s = badly_laid_out()
    replan(s, 0, [2, 3], Limits())
    assert s.level_days == {1: 2, 0: 4}
    assert sorted(s.booth_of[:2]) == [0, 1]  # the higher applications kept, one on each booth
    for b in (0, 1):
        held = [s.app_days[a] for a in s.occupants[b]]
        assert sum(held) == 0b111 and len(held) == 2  # disjoint and full


def test_replan_gives_a_higher_place_to_a_waiting_application_of_its_level():
    """One booth, three days: h holds day 1 and nothing of level 0 fits beside it. h2, waiting at
    h's level, wants day 0: in h's place it leaves days 1-2 to the level's request."""
    apps = (
        ApplicationIn("h", days=(1,), priority=1),
        ApplicationIn("h2", days=(0,), priority=1),
        ApplicationIn("l", days=(1, 2)),
    )
    s = State(Instance(("d0", "d1", "d2"), (BoothIn("B0"),), apps))
    s.place(0, 0)
    replan(s, 0, [2], Limits())
    assert s.booth_of == [-1, 0, 0]
    assert s.level_days == {1: 1, 0: 2}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.data())
def test_replan_keeps_the_hard_rules_and_the_higher_levels_booth_days(data):
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
    s = State(Instance(tuple(f"d{d}" for d in range(n_days)), booths, apps))
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
    replan(s, 0, [a for a in range(len(apps)) if apps[a].priority == 0 and not s.pinned[a]], Limits())
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


def test_lay_out_fills_what_a_plan_leaves_free():
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
    s = State(Instance(("d0", "d1"), booths, apps))
    s.place(0, 0)
    pools, by_days = level_pools(s, [1, 2])
    s.pools, s.level, s.pool_needs = pools, 0, by_days  # open as replan opens them
    # level 1 has no one waiting, so its pieces are named alike (-1) and each of them stays
    poor = [Counter({((high(0b11, level=-1),), ()): 1, ((), (piece(0b01),)): 1})]
    lay_out(s, 0, [[0, 1]], poor, by_days, Pieces(typed=True, open=frozenset()), spare={})
    assert s.booth_of == [0, 1, 1]
    assert s.level_days[0] == 2


def test_replan_stops_when_the_pricing_work_is_spent():
    """The badly laid-out case, with no pricing steps left: nothing is re-planned."""
    s = badly_laid_out()
    replan(s, 0, [2, 3], Limits(replan_steps=0))
    assert s.booth_of == [0, 0, 1, -1]
