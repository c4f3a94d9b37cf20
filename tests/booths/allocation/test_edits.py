"""An organiser's move names the booth in a refusal as every page does (booths.plans.labels)."""

import pytest
from django.utils import translation

from booths.allocation.edits import EditError, move
from tests import factories
from tests.booths.allocation.helpers import small_site


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "North hall, booth N-12 is blocked."), ("fa", "سالن شمالی، غرفه N-۱۲ مسدود است.")],
)
def test_a_refused_move_names_the_booth_with_its_hall(db, language, message):
    site, _hall, _booths, apps = small_site(booths=1, applications=1)
    north = factories.hall(site, code="N", name_fa="سالن شمالی", name_en="North hall")
    factories.booth(north, code="N-12", blocked=True)
    with translation.override(language), pytest.raises(EditError) as refused:
        move(site, apps[0].pk, "N/N-12")
    assert (refused.value.code, refused.value.message) == ("blocked", message)
