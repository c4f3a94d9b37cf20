"""The grid generator, neighbours, bulk edits and copying a plan."""

import datetime

import pytest
from django.utils import translation

from booths.models import Assignment, Booth, Hall
from booths.plans.drawing import draw_hall
from booths.plans.grid import (
    PlanError,
    bulk_update_booths,
    copy_plan,
    generate_grid,
    plan_grid,
    recompute_neighbours,
    row_letter,
)
from tests import factories

pytestmark = pytest.mark.django_db


def pairs(hall: Hall) -> set[tuple[str, str]]:
    through = Booth.neighbours.through
    rows = through.objects.filter(from_booth__hall=hall).values_list("from_booth__code", "to_booth__code")
    return {(a, b) for a, b in rows if a < b}


def assign(booth: Booth) -> Assignment:
    site = booth.hall.site
    return Assignment.objects.create(
        booth=booth, date=site.start_date, application=factories.application(site)
    )


@pytest.fixture
def hall():
    return factories.hall(factories.site(), code="A")


def test_generate_grid_six_by_ten_codes_corners_and_neighbours(hall):
    booths = generate_grid(hall, 6, 10)

    assert [b.code for b in booths] == [f"A-{n:02d}" for n in range(1, 61)]
    assert Booth.objects.filter(hall=hall).count() == 60
    hall.refresh_from_db()
    assert (hall.rows, hall.cols) == (6, 10)
    a13 = Booth.objects.get(hall=hall, code="A-13")
    assert (a13.row, a13.col, a13.zone) == (2, 3, "A")
    corners = set(Booth.objects.filter(hall=hall, type="corner").values_list("code", flat=True))
    assert corners == {f"A-{r * 10 + c:02d}" for r in range(6) for c in (1, 10)}
    expected = {(f"A-{r * 10 + c:02d}", f"A-{r * 10 + c + 1:02d}") for r in range(6) for c in range(1, 10)}
    assert pairs(hall) == expected
    assert len(expected) == 54
    assert set(a13.neighbours.values_list("code", flat=True)) == {"A-12", "A-14"}


def test_generate_grid_aisles_break_blocks_and_neighbourhood(hall):
    generate_grid(hall, 6, 10, aisle_every_cols=5, aisle_every_rows=2)

    hall.refresh_from_db()
    assert (hall.rows, hall.cols) == (8, 11)
    a06 = Booth.objects.get(hall=hall, code="A-06")
    assert (a06.row, a06.col, a06.type) == (1, 7, "corner")
    a21 = Booth.objects.get(hall=hall, code="A-21")
    assert (a21.row, a21.col) == (4, 1)
    corners = set(Booth.objects.filter(hall=hall, type="corner").values_list("code", flat=True))
    assert corners == {f"A-{r * 10 + c:02d}" for r in range(6) for c in (1, 5, 6, 10)}
    expected = {
        (f"A-{r * 10 + c:02d}", f"A-{r * 10 + c + 1:02d}") for r in range(6) for c in (1, 2, 3, 4, 6, 7, 8, 9)
    }
    assert pairs(hall) == expected
    assert ("A-05", "A-06") not in pairs(hall)


def test_generate_grid_back_to_back_links_rows_between_aisles(hall):
    generate_grid(hall, 6, 10, aisle_every_rows=2, back_to_back=True)

    vertical = {(a, b) for a, b in pairs(hall) if int(b[2:]) - int(a[2:]) == 10}
    assert vertical == {
        (f"A-{r * 10 + c:02d}", f"A-{(r + 1) * 10 + c:02d}") for r in (0, 2, 4) for c in range(1, 11)
    }
    assert len(pairs(hall)) == 54 + 30


def test_generate_grid_row_and_col_placeholders_and_defaults(hall):
    booths = generate_grid(
        hall, 2, 3, code_pattern="{row}{col}", start=5, defaults={"price": 5_000_000, "has_power": True}
    )

    assert [b.code for b in booths] == ["A1", "A2", "A3", "B1", "B2", "B3"]
    assert {(b.price, b.has_power) for b in Booth.objects.filter(hall=hall)} == {(5_000_000, True)}
    assert [b.code for b in generate_grid(hall, 1, 3, code_pattern="S{n:03d}", start=7)] == [
        "S007",
        "S008",
        "S009",
    ]


def test_generate_grid_normalises_persian_digits_in_pattern(hall):
    booths = generate_grid(hall, 1, 2, code_pattern="{hall}-۰{n}")
    assert [b.code for b in booths] == ["A-01", "A-02"]


@pytest.mark.parametrize(
    "pattern,code",
    [
        ("{hall}", "pattern_duplicate"),
        ("{row}", "pattern_duplicate"),
        ("{hall}-{x}", "pattern_placeholder"),
        ("{hall-{n}", "pattern_braces"),
        ("{n", "pattern_braces"),
        ("{n:zz}", "pattern_format"),
        ("", "pattern_empty"),
        ("{hall}-{n}-very-long-suffix-x", "pattern_too_long"),
    ],
)
def test_generate_grid_refuses_bad_pattern(hall, pattern, code):
    with pytest.raises(PlanError) as error:
        generate_grid(hall, 2, 3, code_pattern=pattern)
    assert error.value.code == code
    assert Booth.objects.filter(hall=hall).count() == 0


def test_duplicate_pattern_message_names_the_code():
    with pytest.raises(PlanError) as error:
        plan_grid("A", 2, 2, code_pattern="{hall}-{col}")
    assert "A-1" in error.value.message


@pytest.mark.parametrize("rows,cols", [(0, 5), (5, 0), (61, 1)])
def test_plan_grid_refuses_bad_size(rows, cols):
    with pytest.raises(PlanError) as error:
        plan_grid("A", rows, cols)
    assert error.value.code == "grid_size"


def test_regenerating_replaces_booths_without_assignments(hall):
    generate_grid(hall, 2, 2)
    generate_grid(hall, 1, 3)
    assert list(Booth.objects.filter(hall=hall).values_list("code", flat=True)) == ["A-01", "A-02", "A-03"]


def test_regenerating_hall_with_assignments_is_refused(hall):
    booths = generate_grid(hall, 2, 2)
    assign(booths[0])

    with translation.override("en"), pytest.raises(PlanError) as error:
        generate_grid(hall, 6, 10)

    assert error.value.code == "plan_in_use"
    assert "already assigned" in error.value.message
    assert Booth.objects.filter(hall=hall).count() == 4


def test_recompute_neighbours_follows_moved_booths(hall):
    booths = generate_grid(hall, 1, 3)
    Booth.objects.filter(pk=booths[2].pk).update(col=5)

    assert recompute_neighbours(hall) == 1
    assert pairs(hall) == {("A-01", "A-02")}


def test_bulk_update_booths_sets_values_on_a_row(hall):
    generate_grid(hall, 6, 10)

    changed = bulk_update_booths(Booth.objects.filter(hall=hall, row=2), {"has_power": True, "price": 900})

    assert changed == 10
    powered = Booth.objects.filter(hall=hall, has_power=True, price=900)
    assert sorted(powered.values_list("code", flat=True)) == [f"A-{n}" for n in range(11, 21)]


@pytest.mark.parametrize(
    "changes,code",
    [({}, "no_changes"), ({"code": "X"}, "field"), ({"type": "palace"}, "type"), ({"size_m2": 0}, "size")],
)
def test_bulk_update_booths_refuses_bad_changes(hall, changes, code):
    generate_grid(hall, 1, 2)
    with pytest.raises(PlanError) as error:
        bulk_update_booths(Booth.objects.filter(hall=hall), changes)
    assert error.value.code == code


def structure(site):
    halls = [(h.code, h.name_fa, h.rows, h.cols, h.position) for h in Hall.objects.filter(site=site)]
    booths = list(
        Booth.objects.filter(hall__site=site)
        .order_by("hall__code", "code")
        .values_list("hall__code", "code", "type", "zone", "size_m2", "has_power", "price", "row", "col")
    )
    links = set(
        Booth.neighbours.through.objects.filter(from_booth__hall__site=site).values_list(
            "from_booth__hall__code", "from_booth__code", "to_booth__code"
        )
    )
    return halls, booths, links


def test_copy_plan_copies_halls_booths_and_neighbours(hall):
    generate_grid(hall, 6, 10, aisle_every_cols=5, defaults={"has_water": True})
    second = factories.hall(hall.site, code="B", position=1)
    generate_grid(second, 2, 3, back_to_back=True)
    target = factories.site()
    old = factories.hall(target, code="Z")
    factories.booth(old)

    halls = copy_plan(hall.site, target)

    assert [h.code for h in halls] == ["A", "B"]
    assert structure(target) == structure(hall.site)
    assert len(structure(target)[2]) == 2 * (48 + 7)
    assert not Hall.objects.filter(pk=old.pk).exists()


def test_copy_plan_refused_when_target_has_assignments(hall):
    generate_grid(hall, 1, 2)
    target = factories.site()
    assign(factories.booth(factories.hall(target, code="Z")))

    with pytest.raises(PlanError) as error:
        copy_plan(hall.site, target)

    assert error.value.code == "plan_in_use"
    assert list(Hall.objects.filter(site=target).values_list("code", flat=True)) == ["Z"]


def test_copy_plan_refuses_same_or_empty_site(hall):
    with pytest.raises(PlanError) as error:
        copy_plan(hall.site, hall.site)
    assert error.value.code == "copy_same"
    with pytest.raises(PlanError) as error:
        copy_plan(factories.site(), hall.site)
    assert error.value.code == "copy_empty"


def test_row_letter_goes_past_z():
    assert [row_letter(n) for n in (1, 26, 27, 52, 53)] == ["A", "Z", "AA", "AZ", "BA"]


def test_draw_hall_mirrors_columns_in_rtl(hall):
    booths = generate_grid(hall, 1, 3)
    ltr = draw_hall(hall, booths, rtl=False)
    rtl = draw_hall(hall, booths, rtl=True)
    assert [s.x for s in ltr.shapes] == [2, 62, 122]
    assert [s.x for s in rtl.shapes] == [122, 62, 2]
    assert (ltr.width, ltr.height) == (180, 60)
    assert ltr.counts["corner"] == 2


def test_assign_helper_dates_are_site_days(hall):
    booth = generate_grid(hall, 1, 1)[0]
    assert assign(booth).date == hall.site.start_date
    assert isinstance(hall.site.start_date, datetime.date)


@pytest.mark.parametrize(
    "pattern",
    [
        "{n:4000000}",  # a width far past any booth code: refused before a single code is made
        "{hall:>21}",
        "{n:021d}",
        "{n:.4000000}",
        "{n:{n}}",  # a width taken from a placeholder cannot be checked beforehand
    ],
)
def test_plan_grid_refuses_a_width_wider_than_a_booth_code(pattern):
    with pytest.raises(PlanError) as error:
        plan_grid("A", 60, 60, code_pattern=pattern)
    assert error.value.code == "pattern_width"
    assert error.value.message == (
        "کد غرفه حداکثر ۲۰ نویسه است، پس الگوی کد نمی‌تواند پهنای بیشتری بخواهد یا پهنا را از یک "
        "جای‌نگهدار بگیرد. برای ۰۱، ۰۲، … بنویسید {n:02d}."
    )


def test_plan_grid_accepts_widths_up_to_a_booth_code():
    grid = plan_grid("A", 1, 2, code_pattern="{n:0>20}")
    assert [cell.code for cell in grid.cells] == ["0" * 19 + "1", "0" * 19 + "2"]


@pytest.mark.parametrize(
    "options,code",
    [
        ({"start": 10_000}, "grid_bounds"),
        ({"start": -1}, "grid_bounds"),
        ({"aisle_every_cols": 61}, "grid_bounds"),
        ({"aisle_every_rows": 10**23}, "grid_bounds"),
    ],
)
def test_plan_grid_refuses_numbers_out_of_bounds(options, code):
    with pytest.raises(PlanError) as error:
        plan_grid("A", 2, 2, **options)
    assert error.value.code == code


@pytest.mark.parametrize("price", [10**12 + 1, 9223372036854775808, -1])
def test_generate_grid_refuses_a_price_out_of_bounds(hall, price):
    with pytest.raises(PlanError) as error:
        generate_grid(hall, 1, 2, defaults={"price": price})
    assert error.value.code == "price"
    assert Booth.objects.filter(hall=hall).count() == 0


@pytest.mark.parametrize(
    "changes,code",
    [({"price": 9223372036854775808}, "price"), ({"price": -1}, "price"), ({"size_m2": 1001}, "size")],
)
def test_bulk_update_booths_refuses_numbers_out_of_bounds(hall, changes, code):
    generate_grid(hall, 1, 2)
    with pytest.raises(PlanError) as error:
        bulk_update_booths(Booth.objects.filter(hall=hall), changes)
    assert error.value.code == code
