"""A run's result as stored on the run, and read back as the engine's placements and refusals."""

import json

from booths.allocation.engine import Placement, Refusal, Result
from booths.allocation.ids import application_id
from booths.allocation.runs import placement_from, refusal_from, stored_placements, stored_refusals


def test_a_stored_result_reads_back_as_the_engines():
    placement = Placement("app-7", "A/A-01", (0, 2), "needs", {"needs": ["water"], "rank": 1})
    refusal = Refusal("app-9", "quota_full", {"group": "5", "percent": 40})
    result = Result([placement], [refusal], seed=3, booth_days=2, seconds=0.0, levels={})
    # Through JSON, as the database keeps it.
    placements = json.loads(json.dumps(stored_placements(result)))
    refusals = json.loads(json.dumps(stored_refusals(result)))
    assert placements == {
        "app-7": {
            "booth": "A/A-01",
            "days": [0, 2],
            "code": "needs",
            "facts": {"needs": ["water"], "rank": 1},
        }
    }
    assert refusals == {"app-9": {"code": "quota_full", "facts": {"group": "5", "percent": 40}}}
    assert placement_from(7, placements[application_id(7)]) == placement
    assert refusal_from(9, refusals[application_id(9)]) == refusal
