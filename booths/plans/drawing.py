"""A hall drawn as boxes for an inline SVG: the organiser's plan, the zone plan and the public plan all
start from draw_hall and colour its boxes their own way."""

from dataclasses import dataclass

from booths.models import Booth, Hall

CELL = 60  # SVG units per grid cell
GAP = 4
PX_PER_CELL = 52  # drawn size: a 6-column hall fits a 390 px phone, wider halls scroll in their box
FILLS = {
    Booth.Type.STANDARD: "#d1fae5",
    Booth.Type.CORNER: "#fde68a",
    Booth.Type.ISLAND: "#bfdbfe",
    Booth.Type.KIOSK: "#fbcfe8",
}
BLOCKED_FILL = "#d1d5db"
MARKERS = (("has_power", "#d97706"), ("has_water", "#2563eb"), ("accessible", "#7c3aed"))


@dataclass
class BoothShape:
    booth: Booth
    x: int
    y: int
    w: int
    h: int
    fill: str
    text_x: int
    text_y: int
    markers: list[tuple[int, int, str]]
    squeeze: bool  # the code is too long for the box: let the SVG narrow the glyphs


@dataclass
class HallDrawing:
    hall: Hall
    width: int  # viewBox width
    height: int
    shapes: list[BoothShape]
    counts: dict[str, int]

    @property
    def px_width(self) -> int:
        return self.width * PX_PER_CELL // CELL

    @property
    def px_height(self) -> int:
        return self.height * PX_PER_CELL // CELL

    @property
    def hatch_id(self) -> str:
        return f"hatch-{self.hall.pk}"


def draw_hall(hall: Hall, booths: list[Booth], *, rtl: bool) -> HallDrawing:
    """Rectangles for an inline SVG. In right-to-left pages the plan is mirrored: column 1 is on the right."""
    grid_cols = max([hall.cols, *(b.col + b.width - 1 for b in booths)])
    grid_rows = max([hall.rows, *(b.row + b.height - 1 for b in booths)])
    shapes = []
    for booth in booths:
        col = max(booth.col, 1)
        row = max(booth.row, 1)
        x_cell = grid_cols - (col - 1) - booth.width if rtl else col - 1
        x, y = x_cell * CELL + GAP // 2, (row - 1) * CELL + GAP // 2
        w, h = booth.width * CELL - GAP, booth.height * CELL - GAP
        present = [colour for name, colour in MARKERS if getattr(booth, name)]
        markers = [(x + 10 + i * 14, y + h - 10, colour) for i, colour in enumerate(present)]
        # Blocked booths are hatched grey; the hatch pattern is defined once per hall's SVG.
        fill = (
            f"url(#hatch-{hall.pk})" if booth.blocked else FILLS.get(booth.type, FILLS[Booth.Type.STANDARD])
        )
        squeeze = len(booth.code) * 9 > w - 8
        shapes.append(BoothShape(booth, x, y, w, h, fill, x + w // 2, y + h // 2 - 2, markers, squeeze))
    return HallDrawing(hall, grid_cols * CELL, grid_rows * CELL, shapes, count_booths(booths))


def count_booths(booths: list[Booth]) -> dict[str, int]:
    counts = {"total": len(booths)}
    for value in Booth.Type.values:
        counts[value] = sum(1 for b in booths if b.type == value)
    for name in ("has_power", "has_water", "accessible", "outdoor", "blocked"):
        counts[name] = sum(1 for b in booths if getattr(b, name))
    return counts
