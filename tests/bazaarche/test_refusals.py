"""The one shape of a refused action: a stable code first, then the message."""

import pytest

from bazaarche.refusals import Refused
from booths.allocation.edits import EditError
from booths.allocation.offers import OfferError
from booths.applications.applying import ApplicationRefused, Refusal
from booths.applications.review import ReviewError
from booths.plans.grid import PlanError


@pytest.mark.parametrize("error", [EditError, OfferError, ReviewError, PlanError])
def test_feature_errors_take_the_code_first(error):
    refused = error("taken", "Booth A-01 is taken.")
    assert isinstance(refused, Refused)
    assert (refused.code, refused.message, str(refused)) == (
        "taken",
        "Booth A-01 is taken.",
        "Booth A-01 is taken.",
    )


def test_an_application_refused_for_several_reasons_keeps_them_all():
    refused = ApplicationRefused(
        [Refusal("closed", "The window is closed."), Refusal("permit_expires", "Renew.")]
    )
    assert (refused.code, refused.message) == ("closed", "The window is closed.; Renew.")
    assert [r.code for r in refused.refusals] == ["closed", "permit_expires"]
