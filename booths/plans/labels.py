"""What people read for the allocation's ids: a booth by the names the organiser gave, a category group
by its name.

"A/A-04" (hall code/booth code, booths.allocation.ids.booth_key) is the engine's id and what an
organiser types in the move form; pages and messages say «سالن اصلی، غرفه A-۰۴», or only
«غرفه A-۰۴» when the site has one hall. Digits follow the language: a code is read aloud.
"""

from __future__ import annotations

from django.utils.translation import gettext

from bazaarche.text import digits_for_language
from bazaarche.validators import parse_pk
from booths.allocation.engine import Refusal
from booths.models import Booth, Hall
from vendors.models import CategoryGroup


def one_hall(site_id: int) -> bool:
    """Whether the site has a single hall, so that a booth's code alone names it."""
    return Hall.objects.filter(site_id=site_id).count() <= 1


def booth_label(booth: Booth, single_hall: bool | None = None) -> str:
    """«سالن اصلی، غرفه A-۰۴», or «غرفه A-۰۴» when the site has one hall (one query unless
    `single_hall` is given), in the active language."""
    if single_hall is None:
        single_hall = one_hall(booth.hall.site_id)
    code = digits_for_language(booth.code)
    if single_hall:
        return gettext("booth %(code)s") % {"code": code}
    return gettext("%(hall)s, booth %(code)s") % {"hall": booth.hall.name, "code": code}


def quota_group_name(refusal: Refusal) -> str | None:
    """The name of the category group whose full quota refused an application (the instance holds
    only the group's id), or None for other refusals; one query, for quota refusals only."""
    if refusal.code != "quota_full":
        return None
    pk = parse_pk(str(refusal.facts.get("group", "")))
    group = CategoryGroup.objects.filter(pk=pk).first() if pk is not None else None
    return group.name if group else None
