"""The caps on the engine's work: one value passed to allocate() and down to the steps.

Every cap is a count (steps, tries, booths, nodes), never a clock, so the same instance gives the
same bytes on any machine. Tests and the bench pass their own Limits to turn a step down or off.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """The work caps, today's values as defaults. A zero turns a step off: wander_tries (the plateau
    search), replan_steps (the class re-planning), exact_pairs (the exact step)."""

    # First placement: booths tried per level for making room (the bench's ten-day instances try a
    # few thousand at most; a month-long site with 800 booths tried a million, 40 s, for 18 placements).
    room_tries: int = 20_000
    # Hole filling: steps (all levels together), ejection chains tried per booth and round, and hosts
    # tried for a higher-level application in a chain's way.
    hole_steps: int = 2_000_000
    chain_tries: int = 8
    chain_hosts: int = 6
    # Days up to which the searches walk every subset of a booth's free days (or every superset of a
    # request's days); above, they look only at the day masks requested or placed: a month-long site
    # has 2^29 supersets of one day, and walking them took minutes where filtering takes milliseconds.
    # (The pull and host searches count a step per subset, so filtering them on shorter sites would
    # change where they stop; the tiling's holding() gives the same list either way and filters
    # whenever the masks are fewer.)
    walk: int = 12
    # Rehoming: work steps, candidate booths per application moved, booths looked at per days pattern
    # when pulling an application of the level, and most higher-level applications on a booth for
    # which every subset is tried.
    rehome_steps: int = 1_000_000
    rehome_targets: int = 3
    rehome_look: int = 2
    rehome_subset: int = 5
    # Plateau search: tries at most, and per booth; hosts drawn per try; tries without a gain; tiling
    # steps at most (a month-long site's tilings are costly: without this cap they ran for seconds).
    wander_tries: int = 20_000
    wander_tries_per_booth: int = 1000
    wander_look: int = 30
    wander_stall: int = 10_000
    wander_steps: int = 1_000_000
    # Class re-planning: booths up to which all classes are planned in one model; steps of the pricing
    # DP per level (twelve days cost 16 times as much per step as ten); open days up to which a class
    # is planned (the DP walks the subsets of its open days); pricing rounds, new configurations per
    # class and round and in all; nodes of the final MILP; configurations up to which the MILP over
    # several classes takes all of them.
    replan_together: int = 200
    replan_steps: int = 20_000_000
    replan_days: int = 12
    replan_rounds: int = 20
    replan_new: int = 100
    replan_fresh: int = 300
    replan_nodes: int = 500
    replan_all: int = 1500
    # Exact step: largest model solved, in (application, booth) pairs; branch-and-bound nodes per level.
    exact_pairs: int = 3000
    exact_nodes: int = 5000


class Budget:
    """Steps of work left to a search, shared by the calls that draw on it. A search spends by taking
    from left (it may go below zero) and stops when nothing is left."""

    __slots__ = ("left",)

    def __init__(self, steps: int) -> None:
        self.left = steps
