"""The plateau search (booths.allocation.engine.plateau): its swaps keep the higher levels' preferences."""

from bench.allocation import generate
from booths.allocation.engine import Instance, Limits, allocate
from booths.allocation.engine.types import misses


def test_plateau_search_does_not_cost_higher_levels_their_preferences():
    """The plateau search moves higher-level applications between booths; a move that keeps the
    level's booth-days must not take anyone out of a preferred zone or type."""

    def preferences_met(instance: Instance, result) -> int:
        apps = {a.id: a for a in instance.applications}
        booths = {b.id: b for b in instance.booths}
        return sum(
            misses(apps[p.application], booths[p.booth].zone, booths[p.booth].type) == 0
            for p in result.assignments
            if apps[p.application].priority > 0
            and (apps[p.application].prefer_zones or apps[p.application].prefer_types)
        )

    # the steps after it re-plan with booth-days alone in view; left out, they blur what it does
    with_search = Limits(replan_steps=0, exact_pairs=0)
    without = Limits(replan_steps=0, exact_pairs=0, wander_tries=0)
    instances = [generate(300, 60, 10, seed=seed) for seed in (1, 2, 3)]
    met_with = [preferences_met(i, allocate(i, with_search)) for i in instances]
    met_without = [preferences_met(i, allocate(i, without)) for i in instances]
    assert all(a >= b for a, b in zip(met_with, met_without, strict=True)), (met_with, met_without)
