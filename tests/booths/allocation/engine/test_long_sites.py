"""Sites open for weeks: the engine's searches look at the day masks asked for or placed instead of
walking every subset of a booth's free days (2^29 of them for one free day on a 30-day site)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.allocation import generate
from booths.allocation.engine import ApplicationIn, BoothIn, Instance, Limits, allocate
from booths.allocation.engine.masks import holding, touching
from booths.allocation.engine.state import State
from booths.allocation.instance import result_json
from tests.booths.allocation.engine.test_allocate import assert_hard_rules

DAYS = 6
masks = st.integers(1, (1 << DAYS) - 1)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sets(masks, max_size=40), masks)
def test_holding_gives_the_masks_of_have_inside_region_holding_its_lowest_day(have, region):
    low = region & -region
    listed = sorted(m for m in have if m & -m == low)  # few of them: filtered; many: walked
    expected = sorted((m for m in have if m & low and not m & ~region), reverse=True)
    assert list(holding(low, region, have, listed)) == expected


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sets(masks, max_size=40), masks, masks)
def test_touching_filters_the_masks_when_the_region_is_too_long_to_walk(placed, region, touch):
    walked = [m for m in touching(touch, region, placed, Limits().walk) if m in placed]
    filtered = list(touching(touch, region, placed, 0))
    assert filtered == walked


def test_supersets_on_a_long_site_are_the_placed_ones_fewest_days_first():
    days = tuple(f"d{d}" for d in range(16))
    apps = (
        ApplicationIn("a", days=(3,)),
        ApplicationIn("b", days=(3, 4)),
        ApplicationIn("c", days=(1, 3, 9)),
        ApplicationIn("d", days=(5,)),
        ApplicationIn("e", days=(2, 3), priority=1),
    )
    instance = Instance(days, tuple(BoothIn(f"B{i}") for i in range(5)), apps)
    s, s_walking = State(instance), State(instance, walk=30)  # walked: every superset
    for a in range(len(apps)):
        s.place(a, a)
        s_walking.place(a, a)
    assert s.supersets(1 << 3, 0) == [1 << 3, 1 << 3 | 1 << 4, 1 << 1 | 1 << 3 | 1 << 9]
    walked = s_walking.supersets(1 << 3, 0)  # the placed ones among them
    assert len(walked) == 2**15
    assert [m for m in walked if m in s_walking.placed_masks[0]] == [
        1 << 3,
        1 << 3 | 1 << 4,
        1 << 1 | 1 << 3 | 1 << 9,
    ]


def test_allocate_a_month_long_site():
    """300 applications × 60 booths × 30 days: before the searches filtered, this ran for over six
    minutes (stopped there); now under two seconds."""
    instance = generate(300, 60, 30, seed=1)
    result = allocate(instance)
    assert_hard_rules(instance, result)
    assert result_json(result) == result_json(allocate(instance))
    assert result.seconds < 30  # 1.7 s here
