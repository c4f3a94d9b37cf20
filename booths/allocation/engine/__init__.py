"""The booth allocation engine: a pure function from an instance to assignments, with reasons.

No Django and no ORM here: plain dataclasses in, plain dataclasses out, so the same code serves the
database (booths.allocation.adapter), standalone instances (manage.py allocate --instance) and bench/.

The package: types (the plain data in and out), limits (every cap on the work, one Limits value
passed to allocate), state (the booths, who is on them, and the indexes the searches use), a module
per step below (named in parentheses), and pipeline (allocate: the steps in order). Public names:
allocate, lottery, Limits and the types.

How it works (ALLOCATION_INSTANCE.md has the rules it keeps):
1. Lottery. The applications are sorted by id and shuffled with random.Random(seed).shuffle; an
   application's lottery rank is its 1-based position in that list among applications of its own
   priority. Anyone with the instance and the seed can re-run it.
2. Pins are placed first, on their booths; their booth-days count toward their category group's
   quota (a pin is never dropped for a quota).
3. Priority levels are filled from the highest down (first_placement). Within a level, requests for
   more days come first (they are the ones that fill booth-days; a short request fits in the holes
   they leave), then the lottery rank. An application whose category group's quota has no room for
   its days is skipped (quotas: floor(max percent × the booths' available days / 100) booth-days per
   group). Each application takes a booth that is free on all its days, has its needs and, in that
   order: has the fewest features it does not need (water booths stay for those who need water);
   leaves free days that some waiting application asks for exactly, and then the fewest of them
   (tight packing) - or, when nothing waiting asks for exactly those days, as many as possible (a
   long run that a long request fills, rather than a stranded day); matches its preferred zones and
   types; has no neighbour of the same category on its days; has neighbours of its support company;
   has no neighbour from its county (counties spread); then the first one met (plan order within its
   class and busy days; up to four booths per zone and type are compared). Booths with the same
   features and availability form classes; within a class, booths with the same busy days are
   interchangeable for booth-days, so the search looks at classes × busy-day patterns, not at every
   booth.
4. Repair (first_placement). An application of the level left without a booth may still get one when
   the applications in its way on some booth can move to other free booths (they keep their place,
   only the booth changes).
5. Hole filling (hole_filling). Every booth-day still free is a hole. First what fits in it as it is
   (the longest waiting request, then the one with more needs, then the county with fewer places so
   far, then the lottery). Then ejection chains: a waiting request that covers the hole and more of
   the booth's days takes the booth; the applications in its way move to a free booth or, for a
   higher level, to a booth where one application of this level covering their days gives way; the
   days freed on both booths are filled again; the chain stands only when this level gains
   booth-days (a higher level never loses any) and the quota holds. Candidates are tried by the most
   hole days covered, then the fewest days freed outside the request, then the fewest higher-level
   moves. The work is capped by counts (chains per booth, hosts per chain, steps per level), never
   by a clock, so the result does not depend on the machine.
   Then rehoming (rehoming, on tiling), where the higher levels' layout decides what is left (above
   the lowest level only while some of the level waits, with a fifth of the budget): for a booth,
   some of its higher-level applications move to other booths where only this level (or nothing)
   holds their days, and the booths' free days are tiled again, exactly (a bitmask DP over the days)
   from the waiting applications of the level and the ones that gave way; or one application of the
   level is pulled from another booth D into a booth's free days (D tiled again, possibly pulling
   one more from a third booth). A move stands only when the level gains booth-days; the higher
   levels keep every application (only booths change), though a moved one may lose a preferred zone
   or neighbour (booth-days come before preferences). Capped by a count.
   Last, while some of the level waits, a plateau search (plateau): a higher-level application and
   the ones in its way on another booth swap booths, both booths are tiled again, and the swap
   stands when the level keeps or gains booth-days and the moved applications miss no more
   preferences than before. Walking across equal layouts reaches better ones that no single gaining
   move does. Counted tries drawn by a seeded lottery; all undone when the level gained nothing.
6. Class re-planning (replanning, on configurations), while some of the level waits. Booths with the
   same features and the same days open (pins aside) are interchangeable, so a plan says how many
   booths of each class hold each configuration: a set of pieces (needs, days) with disjoint days,
   some the higher levels' applications, the rest this level's. configurations finds the plan that
   gives the level the most booth-days (column generation over configurations, HiGHS LP and a
   node-capped MILP, counted rounds, no clock). Up to Limits.replan_together (200) booths all
   classes are planned in one model, so a higher application may also change class, and a higher
   level with applications waiting may exchange some of its placed ones for them as long as it keeps
   its booth-days; above, class by class; booths open on more than Limits.replan_days (12) days are
   left as they are. On ten-day instances a level's last booth-days depend on which applications
   share a booth, which moves of one or two booths do not reach. The plan is laid out (booths
   holding one of its configurations keep it), days still free on the changed booths take what fits,
   and it stands only when the level gains and no higher level loses.
7. Priority guard (priority_guard). While an unplaced application could take a booth by displacing
   only applications of lower priority (no pins), with its quota counting what they give back, it
   does; the displaced ones look for another free booth.
8. Exact solve (exact). On a small instance (Limits.exact_pairs application-booth pairs at most) the
   lexicographic optimum is solved exactly (HiGHS MILP, a node cap, no clock) and replaces the
   placement when some level gains booth-days before any level loses one: on small ten-day instances
   the steps above can miss a level's optimum by a booth-day, several percent of a small level.
9. Explanations (explanations). Every unplaced application gets a code (no_booth_with_needs,
   no_booth_on_days, quota_full, booths_full_on_days) and the figures for its reason; every placed
   one the figures for why that booth.
Sites open for weeks: the searches walk every subset of a booth's free days (or every superset of
a request's days) only up to Limits.walk (12) days, and past that look at the day masks actually
asked for or placed; making room tries at most Limits.room_tries booths per level, the plateau
search stops after Limits.wander_steps tiling steps and the re-planning after Limits.replan_steps
pricing steps. The caps are set so that the bench's ten-day instances reach none of them, and a
month-long site takes seconds where it ran for minutes.
Measured against the class-model bound in bench/allocation.py (see its docstring for the table).
"""

from .limits import Limits
from .pipeline import allocate, lottery
from .types import ApplicationIn, BoothIn, Instance, Placement, Refusal, Result

__all__ = [
    "ApplicationIn",
    "BoothIn",
    "Instance",
    "Limits",
    "Placement",
    "Refusal",
    "Result",
    "allocate",
    "lottery",
]
