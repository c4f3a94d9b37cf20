"""A site's zones: the codes its booths carry (Booth.zone), named and described by the organisers,
each with a colour, and the site's plan drawn by zone so a vendor sees where each one is."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext

from booths.models import Booth, Hall, Zone
from booths.plans.drawing import HallDrawing, draw_hall
from events.models import Site

# Light fills that stay apart from each other and keep dark text readable; repeated past the ninth zone.
ZONE_FILLS = (
    "#bfdbfe",
    "#fde68a",
    "#bbf7d0",
    "#fbcfe8",
    "#ddd6fe",
    "#fed7aa",
    "#a5f3fc",
    "#e9d5ff",
    "#d9f99d",
)
NO_ZONE_FILL = "#f3f4f6"


@dataclass
class SiteZone:
    """A zone as a vendor sees it: the organisers' name, else «بخش A»."""

    code: str
    name: str
    description: str
    fill: str
    named: bool  # the organisers gave it a name


def zone_name(code: str, zone: Zone | None) -> str:
    name = zone.localized("name") if zone is not None else ""
    return name or gettext("Zone %(code)s") % {"code": code}


def site_zones(site: Site, *, bookable_only: bool = True) -> list[SiteZone]:
    """The zones of the site's booths (only those that can be offered, unless told otherwise), by code.

    Zones named by the organisers but carried by no booth are left out: nobody can be placed there.
    Two queries.
    """
    booths = Booth.objects.filter(hall__site=site).exclude(zone="")
    if bookable_only:
        booths = booths.filter(blocked=False)
    codes = sorted(set(booths.values_list("zone", flat=True)))
    named = {z.code: z for z in Zone.objects.filter(site=site, code__in=codes)}
    result = []
    for index, code in enumerate(codes):
        zone = named.get(code)
        result.append(
            SiteZone(
                code=code,
                name=zone_name(code, zone),
                description=zone.localized("description") if zone is not None else "",
                fill=ZONE_FILLS[index % len(ZONE_FILLS)],
                named=bool(zone and (zone.name_fa or zone.name_en)),
            )
        )
    return result


def zone_plan(site: Site, zones: list[SiteZone], *, rtl: bool) -> list[HallDrawing]:
    """Each hall of the site drawn with draw_hall, its booths filled by zone (blocked ones stay hatched)."""
    by_code = {zone.code: zone for zone in zones}
    halls = Hall.objects.filter(site=site).prefetch_related(
        Prefetch("booths", queryset=Booth.objects.order_by("row", "col", "code"))
    )
    drawings = []
    for hall in halls:
        drawing = draw_hall(hall, list(hall.booths.all()), rtl=rtl)
        for shape in drawing.shapes:
            shape.zone = by_code.get(shape.booth.zone)
            shape.zone_squeeze = len(shape.booth.zone) * 14 > shape.w - 8
            if not shape.booth.blocked:
                shape.fill = shape.zone.fill if shape.zone else NO_ZONE_FILL
        drawings.append(drawing)
    return drawings
