"""Booth plans: the grid generator, neighbours, bulk edits and copying a plan."""

import re
import string
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from bazaarche.fields import show_number
from bazaarche.refusals import Refused
from bazaarche.text import digits_for_language, normalize, to_ascii_digits
from booths.models import Assignment, Booth, Hall, Offer, Zone
from events.models import Site

PLACEHOLDERS = ("hall", "n", "row", "col")
EDITABLE_FIELDS = (
    "type",
    "zone",
    "size_m2",
    "has_power",
    "has_water",
    "accessible",
    "outdoor",
    "price",
    "blocked",
)
MAX_GRID = 60  # rows or columns; a hall larger than this is two halls on any real fairground
MAX_FIRST_NUMBER = 9_999  # the grid's first booth number: room for 1001, 2001, … per hall
MAX_SIZE_M2 = Decimal(1000)  # one booth; the largest pavilion of a provincial fair is a few hundred m²
# Rials. A thousand times the dearest booth of a national fair today, so inflation has room, and
# far inside what a PositiveBigIntegerField holds on every database.
MAX_PRICE = 10**12


class PlanError(Refused):
    """A plan change that was refused; the message says how to fix it."""


def row_letter(row: int) -> str:
    """1 → A, 26 → Z, 27 → AA: how fairgrounds letter their rows."""
    letters = ""
    while row > 0:
        row, rest = divmod(row - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def clean_pattern(pattern: str) -> str:
    """Normalise a code pattern and refuse unknown placeholders or broken braces."""
    pattern = to_ascii_digits(normalize(pattern))
    if not pattern:
        raise PlanError("pattern_empty", _("Enter a code pattern, for example {hall}-{n:02d}."))
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError:
        raise PlanError(
            "pattern_braces",
            _("The code pattern has an unmatched brace. Write placeholders as {n} or {n:02d}."),
        ) from None
    names = [name for _literal, name, _spec, _conv in parsed if name is not None]
    max_length = Booth._meta.get_field("code").max_length
    for _literal, name, spec, _conv in parsed:
        if name is not None and spec and _too_wide(spec, max_length):
            raise PlanError(
                "pattern_width",
                _(
                    "A booth code has at most %(max)s characters, so the code pattern cannot ask for a "
                    "wider field or take a width from a placeholder. Use {n:02d} for 01, 02, …"
                )
                % {"max": digits_for_language(str(max_length))},
            )
    unknown = sorted({name for name in names if name not in PLACEHOLDERS})
    if unknown:
        raise PlanError(
            "pattern_placeholder",
            _("The code pattern uses an unknown placeholder {%(name)s}. Use {hall}, {n}, {row} or {col}.")
            % {"name": unknown[0]},
        )
    return pattern


def _too_wide(spec: str, max_length: int) -> bool:
    """Whether a format spec asks for a width or precision past max_length, or takes one from a placeholder.

    Checked before any code is made: {n:400000000} would build a 400 MB string per booth first.
    Every number in the spec counts (a digit used as the fill character is a single digit).
    """
    if "{" in spec or "}" in spec:
        return True
    numbers = (run.lstrip("0") or "0" for run in re.findall(r"\d+", spec))
    return any(len(number) > 3 or int(number) > max_length for number in numbers)


def format_code(pattern: str, *, hall: str, n: int, row: int, col: int) -> str:
    try:
        return pattern.format(hall=hall, n=n, row=row_letter(row), col=col)
    except (ValueError, TypeError, IndexError, KeyError):
        raise PlanError(
            "pattern_format",
            _("The code pattern has a format the generator cannot apply. Use {n:02d} for 01, 02, …"),
        ) from None


@dataclass
class GridCell:
    """Where one booth of a generated grid sits and what its code is."""

    code: str
    row: int  # 1-based grid row, aisles included
    col: int  # 1-based grid column, aisles included
    corner: bool


@dataclass
class Grid:
    rows: int  # grid size with aisles
    cols: int
    cells: list[GridCell] = field(default_factory=list)


def _grid_positions(count: int, aisle_every: int) -> list[int]:
    """Grid positions (1-based) of `count` booth rows or columns with an empty line after each block."""
    if aisle_every <= 0:
        return list(range(1, count + 1))
    return [i + 1 + i // aisle_every for i in range(count)]


def plan_grid(
    hall_code: str,
    rows: int,
    cols: int,
    *,
    code_pattern: str = "{hall}-{n:02d}",
    aisle_every_cols: int = 0,
    aisle_every_rows: int = 0,
    start: int = 1,
) -> Grid:
    """Lay out a grid without touching the database: codes, positions, block ends."""
    if not (1 <= rows <= MAX_GRID and 1 <= cols <= MAX_GRID):
        raise PlanError(
            "grid_size",
            _("Rows and columns must each be between 1 and %(max)s.")
            % {"max": digits_for_language(str(MAX_GRID))},
        )
    if not (0 <= aisle_every_cols <= MAX_GRID and 0 <= aisle_every_rows <= MAX_GRID):
        raise PlanError(
            "grid_bounds",
            _("An aisle comes after every 0 to %(max)s booths.")
            % {"max": digits_for_language(str(MAX_GRID))},
        )
    if not 0 <= start <= MAX_FIRST_NUMBER:
        raise PlanError(
            "grid_bounds",
            _("The first number is from 0 to %(max)s.") % {"max": digits_for_language(str(MAX_FIRST_NUMBER))},
        )
    pattern = clean_pattern(code_pattern)
    row_at = _grid_positions(rows, aisle_every_rows)
    col_at = _grid_positions(cols, aisle_every_cols)
    grid = Grid(rows=row_at[-1], cols=col_at[-1])
    codes: dict[str, int] = {}
    max_length = Booth._meta.get_field("code").max_length
    for r in range(rows):
        for c in range(cols):
            n = start + r * cols + c
            code = format_code(pattern, hall=hall_code, n=n, row=r + 1, col=c + 1)
            if not code.strip():
                raise PlanError("pattern_empty_code", _("The code pattern gives empty codes."))
            if len(code) > max_length:
                raise PlanError(
                    "pattern_too_long",
                    _("The code %(code)s is longer than %(max)s characters. Shorten the pattern.")
                    % {"code": code, "max": digits_for_language(str(max_length))},
                )
            if code in codes:
                raise PlanError(
                    "pattern_duplicate",
                    _(
                        "The code pattern gives two booths the same code %(code)s. "
                        "Include {n}, or both {row} and {col}."
                    )
                    % {"code": code},
                )
            codes[code] = n
            # A block is a run of booths in one row between aisles or walls; its two ends are corners.
            first_in_block = c == 0 or (aisle_every_cols and c % aisle_every_cols == 0)
            last_in_block = c == cols - 1 or (aisle_every_cols and (c + 1) % aisle_every_cols == 0)
            grid.cells.append(GridCell(code, row_at[r], col_at[c], bool(first_in_block or last_in_block)))
    return grid


def line_numbers(positions) -> dict[int, int]:
    """Grid rows (or columns) that hold booths, numbered as people count them: aisles are skipped.

    Booths on grid rows 1, 2, 4 and 5 (row 3 an aisle) are in rows 1, 2, 3 and 4.
    """
    return {position: n for n, position in enumerate(sorted(set(positions)), start=1)}


def _aisle_every(positions: list[int]) -> int:
    """The generator's "an aisle after every …" that puts booth lines on these sorted grid positions
    (0: no aisle, or a layout the generator did not make)."""
    count = len(positions)
    for every in range(1, count):
        if _grid_positions(count, every) == positions:
            return every
    return 0


def _most_common(values):
    counts: dict = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return max(counts, key=counts.get)  # the first of the most common, in booth order


def _pattern_candidates(hall_code: str, first_code: str) -> list[tuple[str, int]]:
    """(code pattern, first number) that may have made a grid whose first booth is `first_code`."""
    literal = first_code.replace("{", "{{").replace("}", "}}")
    heads = [literal]
    if hall_code and literal.startswith(hall_code):
        heads.insert(0, "{hall}" + literal.removeprefix(hall_code))
    candidates = []
    for head in heads:
        if numbered := re.fullmatch(r"(.*?)([0-9]+)", head, re.S):
            prefix, digits = numbered.groups()
            padded = len(digits) > 1 and digits.startswith("0")
            candidates.append((prefix + (f"{{n:0{len(digits)}d}}" if padded else "{n}"), int(digits)))
        if lettered := re.fullmatch(r"(.*?)A(\W?)(0?)1", head, re.S):
            prefix, between, zero = lettered.groups()
            candidates.append((prefix + "{row}" + between + ("{col:02d}" if zero else "{col}"), 1))
    return candidates


def grid_settings(hall: Hall, booths: list[Booth]) -> dict:
    """The generator's settings read back from a hall's booths, to start the form that rebuilds it.

    Rows, columns and aisles come from the booths' places; size and price are what most booths
    have; "back to back" from a neighbour across rows; the code pattern and first number only when
    they give every booth its code again (otherwise the form keeps its defaults). Empty for no booths.
    """
    if not booths:
        return {}
    rows = sorted({b.row for b in booths})
    cols = sorted({b.col for b in booths})
    settings = {
        "rows": len(rows),
        "cols": len(cols),
        "aisle_every_rows": _aisle_every(rows),
        "aisle_every_cols": _aisle_every(cols),
        "size_m2": _most_common(b.size_m2 for b in booths),
        "price": _most_common(b.price for b in booths),
        "back_to_back": Booth.neighbours.through.objects.filter(
            from_booth__hall=hall, to_booth__row=F("from_booth__row") + 1
        ).exists(),
    }
    placed = sorted(booths, key=lambda b: (b.row, b.col))
    layout = [(b.code, b.row, b.col) for b in placed]
    if len(rows) * len(cols) == len(booths) and len(rows) <= MAX_GRID and len(cols) <= MAX_GRID:
        for pattern, start in _pattern_candidates(hall.code, placed[0].code):
            try:
                grid = plan_grid(
                    hall.code,
                    len(rows),
                    len(cols),
                    code_pattern=pattern,
                    aisle_every_cols=settings["aisle_every_cols"],
                    aisle_every_rows=settings["aisle_every_rows"],
                    start=start,
                )
            except PlanError:
                continue
            if [(cell.code, cell.row, cell.col) for cell in grid.cells] == layout:
                settings |= {"code_pattern": pattern, "start": start}
                break
    return settings


def neighbour_pairs(booths: list[Booth], *, back_to_back: bool = False) -> set[tuple[int, int]]:
    """Pairs of booth indexes that touch on the grid.

    Left/right neighbours share a side in the same row with no aisle (empty column) between them.
    With back_to_back, booths in adjacent rows with no aisle row between them are neighbours too
    (they share a back wall); otherwise rows are taken to face each other across a walkway.
    """
    cells: dict[tuple[int, int], int] = {}
    for index, booth in enumerate(booths):
        for dr in range(booth.height):
            for dc in range(booth.width):
                cells[(booth.row + dr, booth.col + dc)] = index
    pairs: set[tuple[int, int]] = set()
    steps = [(0, 1), (1, 0)] if back_to_back else [(0, 1)]
    for (row, col), index in cells.items():
        for dr, dc in steps:
            other = cells.get((row + dr, col + dc))
            if other is not None and other != index:
                pairs.add((min(index, other), max(index, other)))
    return pairs


def _link_neighbours(booths: list[Booth], *, back_to_back: bool) -> int:
    through = Booth.neighbours.through
    links = []
    for a, b in sorted(neighbour_pairs(booths, back_to_back=back_to_back)):
        # A symmetrical many-to-many keeps one row per direction.
        links.append(through(from_booth_id=booths[a].pk, to_booth_id=booths[b].pk))
        links.append(through(from_booth_id=booths[b].pk, to_booth_id=booths[a].pk))
    through.objects.bulk_create(links)
    return len(links) // 2


def _refuse_if_in_use(booths, what: str) -> None:
    """Booths with assignments or offers carry decisions vendors rely on: never drop them silently."""
    if Assignment.objects.filter(booth__in=booths).exists():
        raise PlanError(
            "plan_in_use",
            _(
                "%(what)s has booths that are already assigned to vendors, so its plan cannot be replaced. "
                "Edit those booths one by one instead, or withdraw the assignments first."
            )
            % {"what": what},
        )
    if Offer.objects.filter(booth__in=booths).exists():
        raise PlanError(
            "plan_offered",
            _(
                "%(what)s has booths that were offered to vendors, so its plan cannot be replaced. "
                "Edit those booths one by one instead."
            )
            % {"what": what},
        )


def generate_grid(
    hall: Hall,
    rows: int,
    cols: int,
    *,
    code_pattern: str = "{hall}-{n:02d}",
    aisle_every_cols: int = 0,
    aisle_every_rows: int = 0,
    start: int = 1,
    back_to_back: bool = False,
    defaults: dict | None = None,
) -> list[Booth]:
    """Replace the hall's booths with a rows × cols grid, in one transaction.

    Aisles are empty grid columns (rows) after every `aisle_every_cols` (`aisle_every_rows`) booths;
    they break neighbourhood. The two ends of each block are corner booths. The zone defaults to the
    hall code. Refused when any booth of the hall is assigned or offered.
    """
    defaults = dict(defaults or {})
    unknown = set(defaults) - set(EDITABLE_FIELDS)
    if unknown:
        raise PlanError(
            "field", _("These booth fields cannot be set: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    grid = plan_grid(
        hall.code,
        rows,
        cols,
        code_pattern=code_pattern,
        aisle_every_cols=aisle_every_cols,
        aisle_every_rows=aisle_every_rows,
        start=start,
    )
    _check_numbers(defaults)
    defaults.setdefault("zone", hall.code)
    base_type = defaults.pop("type", Booth.Type.STANDARD)
    with transaction.atomic():
        existing = Booth.objects.filter(hall=hall)
        _refuse_if_in_use(existing, _("Hall %(code)s") % {"code": hall.code})
        existing.delete()
        hall.rows, hall.cols = grid.rows, grid.cols
        hall.save(update_fields=["rows", "cols"])
        booths = Booth.objects.bulk_create(
            Booth(
                hall=hall,
                code=cell.code,
                row=cell.row,
                col=cell.col,
                type=Booth.Type.CORNER if cell.corner else base_type,
                **defaults,
            )
            for cell in grid.cells
        )
        _link_neighbours(booths, back_to_back=back_to_back)
    return booths


def recompute_neighbours(hall: Hall, *, back_to_back: bool = False) -> int:
    """Set the hall's neighbours from the booths' places on the grid; returns the number of pairs."""
    with transaction.atomic():
        booths = list(Booth.objects.filter(hall=hall).order_by("pk"))
        Booth.neighbours.through.objects.filter(from_booth__hall=hall).delete()
        Booth.neighbours.through.objects.filter(to_booth__hall=hall).delete()
        return _link_neighbours(booths, back_to_back=back_to_back)


def bulk_update_booths(booths_qs, changes: dict) -> int:
    """Set the same values on many booths in one UPDATE; returns how many booths changed."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise PlanError(
            "field", _("These booth fields cannot be set: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if not changes:
        raise PlanError("no_changes", _("Choose at least one thing to change."))
    if "type" in changes and changes["type"] not in Booth.Type.values:
        raise PlanError("type", _("Choose a booth type from the list."))
    _check_numbers(changes)
    return booths_qs.update(**changes)


def _check_numbers(values: dict) -> None:
    """A booth's size and price within bounds: past them the database refuses the number (a 500)."""
    if "size_m2" in values and not 0 < Decimal(values["size_m2"]) <= MAX_SIZE_M2:
        raise PlanError(
            "size",
            _("The size must be more than zero and at most %(max)s square metres.")
            % {"max": show_number(MAX_SIZE_M2)},
        )
    if "price" in values and not 0 <= values["price"] <= MAX_PRICE:
        raise PlanError(
            "price",
            _("The price must be from 0 to %(max)s rials.") % {"max": show_number(MAX_PRICE)},
        )


def copy_plan(from_site: Site, to_site: Site) -> list[Hall]:
    """Replace to_site's halls and booths with a copy of from_site's, neighbours included."""
    if from_site.pk == to_site.pk:
        raise PlanError("copy_same", _("Choose another site to copy the plan from."))
    source_halls = list(Hall.objects.filter(site=from_site).order_by("position", "code"))
    if not source_halls:
        raise PlanError("copy_empty", _("The site to copy from has no halls yet."))
    source_booths = list(Booth.objects.filter(hall__site=from_site).order_by("pk"))
    through = Booth.neighbours.through
    source_links = list(
        through.objects.filter(from_booth__hall__site=from_site).values_list("from_booth_id", "to_booth_id")
    )
    with transaction.atomic():
        target_booths = Booth.objects.filter(hall__site=to_site)
        _refuse_if_in_use(target_booths, to_site.title)
        Hall.objects.filter(site=to_site).delete()
        halls = Hall.objects.bulk_create(
            Hall(
                site=to_site,
                code=h.code,
                name_fa=h.name_fa,
                name_en=h.name_en,
                rows=h.rows,
                cols=h.cols,
                position=h.position,
            )
            for h in source_halls
        )
        hall_for = {old.pk: new for old, new in zip(source_halls, halls, strict=True)}
        copied = Booth.objects.bulk_create(
            Booth(
                hall=hall_for[b.hall_id],
                code=b.code,
                row=b.row,
                col=b.col,
                width=b.width,
                height=b.height,
                **{name: getattr(b, name) for name in EDITABLE_FIELDS},
            )
            for b in source_booths
        )
        booth_for = {old.pk: new.pk for old, new in zip(source_booths, copied, strict=True)}
        through.objects.bulk_create(
            through(from_booth_id=booth_for[a], to_booth_id=booth_for[b]) for a, b in source_links
        )
        # The zones' names and words go with the booths that carry them.
        Zone.objects.filter(site=to_site).delete()
        Zone.objects.bulk_create(
            Zone(site=to_site, **{name: getattr(z, name) for name in ZONE_FIELDS})
            for z in Zone.objects.filter(site=from_site)
        )
    return halls


ZONE_FIELDS = ("code", "name_fa", "name_en", "description_fa", "description_en")
