"""Organiser pages for booth plans: scope, the generator form, bulk edits, copying, SVG and queries."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from booths.models import Assignment, Booth, Hall
from booths.plans.grid import bulk_update_booths, generate_grid
from tests import factories

pytestmark = pytest.mark.django_db


def grid_data(**overrides) -> dict:
    data = {
        "code": "A",
        "name_fa": "سالن اصلی",
        "name_en": "Main hall",
        "rows": "6",
        "cols": "10",
        "code_pattern": "{hall}-{n:02d}",
        "start": "1",
        "aisle_every_cols": "0",
        "aisle_every_rows": "0",
        "size_m2": "9",
        "price": "0",
    }
    return data | overrides


def booth_rects(html: str) -> list[str]:
    return re.findall(r'<rect data-booth="([^"]+)"', html)


@pytest.fixture(autouse=True)
def _persian():
    # A request to /en/ leaves English active in this thread, and reverse() would then build /en/ URLs.
    translation.activate("fa")
    yield
    translation.activate("fa")


@pytest.fixture
def site():
    return factories.site(county_slug="khorramabad")


@pytest.fixture
def organiser(client):
    user = factories.county_organiser("khorramabad")
    client.force_login(user)
    return user


def test_site_plan_generates_a_hall_from_the_form(client, organiser, site):
    response = client.post(reverse("plan-site", args=[site.slug]), grid_data(aisle_every_cols="5"))

    assert response.status_code == 302
    assert response.url == reverse("plan-hall", args=[site.slug, "A"])
    hall = Hall.objects.get(site=site)
    assert (hall.code, hall.name_fa, hall.rows, hall.cols) == ("A", "سالن اصلی", 6, 11)
    assert Booth.objects.filter(hall=hall).count() == 60


def test_site_plan_form_accepts_persian_digits(client, organiser, site):
    response = client.post(
        reverse("plan-site", args=[site.slug]),
        grid_data(rows="۲", cols="۳", price="۵٬۰۰۰٬۰۰۰", size_m2="۱۲٫۵"),
    )

    assert response.status_code == 302
    assert set(Booth.objects.filter(hall__site=site).values_list("price", "size_m2")) == {(5_000_000, 12.5)}
    assert Booth.objects.filter(hall__site=site).count() == 6


def test_site_plan_form_shows_pattern_error(client, organiser, site):
    response = client.post(reverse("plan-site", args=[site.slug]), grid_data(code_pattern="{hall}"))

    assert response.status_code == 400
    assert "با این الگو دو غرفه کد یکسان A می‌گیرند." in response.content.decode()
    assert not Hall.objects.filter(site=site).exists()


def test_site_plan_form_refuses_duplicate_hall_code(client, organiser, site):
    factories.hall(site, code="A")
    response = client.post(reverse("plan-site", args=[site.slug]), grid_data())

    assert response.status_code == 400
    assert "این محل برگزاری از پیش سالنی با کد A دارد." in response.content.decode()


@pytest.mark.parametrize("code", ["copy", "A/B", "-A"])
def test_site_plan_form_refuses_bad_hall_code(client, organiser, site, code):
    response = client.post(reverse("plan-site", args=[site.slug]), grid_data(code=code))
    assert response.status_code == 400
    assert not Hall.objects.filter(site=site).exists()


def test_site_plan_svg_has_one_rect_per_booth(client, organiser, site):
    generate_grid(factories.hall(site, code="A"), 6, 10, aisle_every_cols=5)
    generate_grid(factories.hall(site, code="B", position=1), 2, 3)

    response = client.get(reverse("plan-site", args=[site.slug]))

    html = response.content.decode()
    assert response.status_code == 200
    assert len(booth_rects(html)) == 66
    assert booth_rects(html)[:2] == ["A-01", "A-02"]
    assert 'viewBox="0 0 660 360"' in html
    assert 'style="' not in html


def test_hall_plan_svg_has_exactly_n_booth_rects(client, organiser, site):
    hall = factories.hall(site, code="A")
    generate_grid(hall, 6, 10)
    response = client.get(reverse("plan-hall", args=[site.slug, "A"]))

    assert response.status_code == 200
    assert len(booth_rects(response.content.decode())) == 60
    assert response.content.decode().count('name="booths"') == 60


def test_hall_plan_is_mirrored_in_persian_not_in_english(client, organiser, site):
    generate_grid(factories.hall(site, code="A"), 1, 3)

    fa = client.get(reverse("plan-hall", args=[site.slug, "A"])).content.decode()
    en = client.get("/en" + reverse("plan-hall", args=[site.slug, "A"])).content.decode()

    assert re.search(r'data-booth="A-01" x="(\d+)"', fa).group(1) == "122"
    assert re.search(r'data-booth="A-01" x="(\d+)"', en).group(1) == "2"
    assert "column 1 is on the right" not in en
    assert "column 1 is on the left" in en


def test_bulk_edit_sets_power_on_a_row(client, organiser, site):
    hall = factories.hall(site, code="A")
    generate_grid(hall, 6, 10)

    response = client.post(
        reverse("plan-hall", args=[site.slug, "A"]), {"scope": "row-2", "has_power": "yes"}
    )

    assert response.status_code == 302
    powered = Booth.objects.filter(hall=hall, has_power=True).values_list("code", flat=True)
    assert sorted(powered) == [f"A-{n}" for n in range(11, 21)]


def test_bulk_edit_selected_booths_and_several_fields(client, organiser, site):
    hall = factories.hall(site, code="A")
    booths = generate_grid(hall, 1, 4)

    response = client.post(
        reverse("plan-hall", args=[site.slug, "A"]),
        {
            "scope": "selected",
            "booths": [booths[1].pk, booths[2].pk],
            "type": "kiosk",
            "zone": "غذا",
            "price": "۱۰۰۰",
            "blocked": "yes",
            "has_water": "",
        },
    )

    assert response.status_code == 302
    rows = Booth.objects.filter(hall=hall).order_by("code").values_list("type", "zone", "price", "blocked")
    assert list(rows) == [
        ("corner", "A", 0, False),
        ("kiosk", "غذا", 1000, True),
        ("kiosk", "غذا", 1000, True),
        ("corner", "A", 0, False),
    ]


@pytest.mark.parametrize(
    "data,message",
    [
        ({"scope": "selected", "has_power": "yes"}, "دست‌کم یک غرفه را در فهرست علامت بزنید"),
        ({"scope": "all"}, "دست‌کم یک چیز را برای تغییر انتخاب کنید."),
    ],
)
def test_bulk_edit_explains_what_is_missing(client, organiser, site, data, message):
    generate_grid(factories.hall(site, code="A"), 1, 2)
    response = client.post(reverse("plan-hall", args=[site.slug, "A"]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Booth.objects.filter(has_power=True).exists()


def test_regenerate_refused_when_a_booth_is_assigned(client, organiser, site):
    hall = factories.hall(site, code="A")
    booths = generate_grid(hall, 1, 2)
    Assignment.objects.create(booth=booths[0], date=site.start_date, application=factories.application(site))

    data = {k: v for k, v in grid_data().items() if k not in {"code", "name_fa", "name_en"}}
    response = client.post(reverse("plan-regenerate", args=[site.slug, "A"]), data)

    assert response.status_code == 400
    assert "به متقاضیان واگذار شده‌اند" in response.content.decode()
    assert Booth.objects.filter(hall=hall).count() == 2


def test_regenerate_replaces_booths(client, organiser, site):
    hall = factories.hall(site, code="A")
    generate_grid(hall, 1, 2)
    data = {k: v for k, v in grid_data(rows="2", cols="2").items() if k not in {"code", "name_fa", "name_en"}}
    response = client.post(reverse("plan-regenerate", args=[site.slug, "A"]), data)
    assert response.status_code == 302
    assert Booth.objects.filter(hall=hall).count() == 4


def test_booth_edit_saves_one_booth(client, organiser, site):
    booth = generate_grid(factories.hall(site, code="A"), 1, 2)[0]
    url = reverse("plan-booth-edit", args=[booth.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="size_m2" value="۹"' in page.content.decode()

    data = {
        "type": "island",
        "zone": "A",
        "size_m2": "۱۸",
        "price": "20",
        "has_power": "on",
        "accessible": "on",
    }
    response = client.post(url, data)

    assert response.status_code == 302
    booth.refresh_from_db()
    assert (booth.type, booth.size_m2, booth.price, booth.has_power, booth.accessible, booth.has_water) == (
        "island",
        18,
        20,
        True,
        True,
        False,
    )


def test_copy_plan_from_another_site_in_scope(client, organiser, site):
    source = factories.site(county_slug="khorramabad")
    generate_grid(factories.hall(source, code="A"), 2, 3)

    response = client.post(reverse("plan-copy", args=[site.slug]), {"source": source.pk})

    assert response.status_code == 302
    assert list(Booth.objects.filter(hall__site=site).values_list("code", flat=True)) == [
        f"A-{n:02d}" for n in range(1, 7)
    ]


def test_copy_plan_needs_confirmation_when_site_has_halls(client, organiser, site):
    source = factories.site(county_slug="khorramabad")
    generate_grid(factories.hall(source, code="A"), 2, 3)
    factories.hall(site, code="Z")

    response = client.post(reverse("plan-copy", args=[site.slug]), {"source": source.pk})
    assert response.status_code == 400
    assert "برای جایگزینی آن، گزینهٔ تأیید را علامت بزنید" in response.content.decode()

    response = client.post(reverse("plan-copy", args=[site.slug]), {"source": source.pk, "confirm": "on"})
    assert response.status_code == 302
    assert list(Hall.objects.filter(site=site).values_list("code", flat=True)) == ["A"]


def test_copy_plan_source_outside_scope_is_refused(client, organiser, site):
    source = factories.site(county_slug="borujerd")
    generate_grid(factories.hall(source, code="A"), 1, 1)
    response = client.post(reverse("plan-copy", args=[site.slug]), {"source": source.pk})
    assert response.status_code == 400
    assert not Hall.objects.filter(site=site).exists()


def test_county_organiser_gets_404_for_another_county(client, site):
    other = factories.site(county_slug="borujerd")
    booth = factories.booth(factories.hall(other, code="A"))
    client.force_login(factories.county_organiser("khorramabad"))

    assert client.get(reverse("plan-site", args=[other.slug])).status_code == 404
    assert client.get(reverse("plan-hall", args=[other.slug, "A"])).status_code == 404
    assert client.get(reverse("plan-booth-edit", args=[booth.pk])).status_code == 404
    assert client.post(reverse("plan-site", args=[other.slug]), grid_data(code="B")).status_code == 404
    assert client.post(reverse("plan-copy", args=[other.slug]), {"source": site.pk}).status_code == 404
    bulk = {"scope": "all", "blocked": "yes"}
    assert client.post(reverse("plan-hall", args=[other.slug, "A"]), bulk).status_code == 404
    assert client.post(reverse("plan-booth-edit", args=[booth.pk]), {"type": "kiosk"}).status_code == 404
    assert Booth.objects.get(pk=booth.pk).type == "standard"
    assert not Booth.objects.filter(blocked=True).exists()
    assert client.get(reverse("plan-site", args=[site.slug])).status_code == 200


def test_provincial_organiser_sees_every_county(client, site):
    other = factories.site(county_slug="borujerd")
    client.force_login(factories.provincial_organiser())
    assert client.get(reverse("plan-site", args=[other.slug])).status_code == 200
    assert client.get(reverse("plan-site", args=[site.slug])).status_code == 200


def test_vendor_and_anonymous_cannot_open_plan(client, site):
    url = reverse("plan-site", args=[site.slug])
    response = client.get(url)
    assert response.status_code == 302
    client.force_login(factories.user())
    assert client.get(url).status_code == 404


def test_site_plan_query_count_constant(client, organiser, site, django_assert_num_queries):
    generate_grid(factories.hall(site, code="A"), 1, 1)
    url = reverse("plan-site", args=[site.slug])
    client.get(url)  # warm the session and caches
    with django_assert_num_queries(8):
        client.get(url)

    generate_grid(factories.hall(site, code="B"), 6, 10)
    generate_grid(factories.hall(site, code="C"), 3, 3)
    factories.site(county_slug="khorramabad")
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(booth_rects(response.content.decode())) == 1 + 60 + 9


def test_hall_plan_query_count_constant(client, organiser, site, django_assert_num_queries):
    hall = factories.hall(site, code="A")
    generate_grid(hall, 1, 1)
    url = reverse("plan-hall", args=[site.slug, "A"])
    client.get(url)
    # One of them asks whether rows stand back to back, for the form that rebuilds the grid.
    with django_assert_num_queries(8):
        client.get(url)
    generate_grid(hall, 6, 10)
    with django_assert_num_queries(8):
        client.get(url)


HUGE = ["9223372036854775808", "100000000000000000000000", "۹۲۲۳۳۷۲۰۳۶۸۵۴۷۷۵۸۰۸", "-1"]
PRICE_RANGE = "عددی از ۰ تا ۱٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰ بنویسید."


@pytest.mark.parametrize("price", HUGE)
def test_site_plan_form_refuses_a_price_out_of_bounds(client, organiser, site, price):
    response = client.post(reverse("plan-site", args=[site.slug]), grid_data(price=price))

    assert response.status_code == 400
    assert response.context["grid_form"].errors == {"price": [PRICE_RANGE]}
    assert not Hall.objects.filter(site=site).exists()


def test_site_plan_form_bounds_are_said_in_english(client, organiser, site):
    response = client.post(
        "/en" + reverse("plan-site", args=[site.slug]), grid_data(price=HUGE[0], start="10000")
    )

    assert response.status_code == 400
    assert response.context["grid_form"].errors == {
        "price": ["Enter a number from 0 to 1,000,000,000,000."],
        "start": ["Enter a number from 0 to 9,999."],
    }


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("start", "۱۰۰۰۰", "عددی از ۰ تا ۹٬۹۹۹ بنویسید."),
        ("aisle_every_cols", "9223372036854775808", "عددی از ۰ تا ۶۰ بنویسید."),
        ("aisle_every_rows", "61", "عددی از ۰ تا ۶۰ بنویسید."),
        ("rows", "100000000000000000000000", "عددی از ۱ تا ۶۰ بنویسید."),
        ("size_m2", "1000.01", "عددی از ۱ تا ۱٬۰۰۰ بنویسید."),
    ],
)
def test_site_plan_form_bounds_every_number(client, organiser, site, field, value, message):
    response = client.post(reverse("plan-site", args=[site.slug]), grid_data(**{field: value}))

    assert response.status_code == 400
    assert response.context["grid_form"].errors == {field: [message]}


@pytest.mark.parametrize("price", HUGE)
def test_regenerate_refuses_a_price_out_of_bounds(client, organiser, site, price):
    hall = factories.hall(site, code="A")
    generate_grid(hall, 1, 2)
    data = {k: v for k, v in grid_data(price=price).items() if k not in {"code", "name_fa", "name_en"}}

    response = client.post(reverse("plan-regenerate", args=[site.slug, "A"]), data)

    assert response.status_code == 400
    assert response.context["grid_form"].errors == {"price": [PRICE_RANGE]}
    assert Booth.objects.filter(hall=hall).count() == 2


def test_site_plan_form_refuses_a_giant_width_quickly(client, organiser, site):
    response = client.post(reverse("plan-site", args=[site.slug]), grid_data(code_pattern="{n:400000000}"))

    assert response.status_code == 400
    assert response.context["grid_form"].errors == {
        "code_pattern": [
            "کد غرفه حداکثر ۲۰ نویسه است، پس الگوی کد نمی‌تواند پهنای بیشتری بخواهد یا پهنا را از یک "
            "جای‌نگهدار بگیرد. برای ۰۱، ۰۲، … بنویسید {n:02d}."
        ]
    }
    assert not Hall.objects.filter(site=site).exists()


@pytest.mark.parametrize("price", HUGE)
def test_bulk_edit_refuses_a_price_out_of_bounds(client, organiser, site, price):
    hall = factories.hall(site, code="A")
    generate_grid(hall, 1, 2)

    response = client.post(reverse("plan-hall", args=[site.slug, "A"]), {"scope": "all", "price": price})

    assert response.status_code == 400
    assert response.context["bulk_form"].errors == {"price": [PRICE_RANGE]}
    assert set(Booth.objects.filter(hall=hall).values_list("price", flat=True)) == {0}


@pytest.mark.parametrize("price", HUGE)
def test_booth_edit_refuses_a_price_out_of_bounds(client, organiser, site, price):
    booth = generate_grid(factories.hall(site, code="A"), 1, 2)[0]

    response = client.post(
        reverse("plan-booth-edit", args=[booth.pk]),
        {"type": "island", "zone": "A", "size_m2": "9", "price": price},
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"price": [PRICE_RANGE]}
    booth.refresh_from_db()
    assert booth.price == 0


def test_bulk_edit_with_a_booth_of_another_hall_shows_why(client, organiser, site):
    hall = factories.hall(site, code="A")
    factories.booth(hall, code="A-01")
    other = factories.booth(factories.hall(site, code="B"), code="B-01")
    response = client.post(
        reverse("plan-hall", args=[site.slug, "A"]), {"scope": "selected", "booths": [other.pk], "price": "5"}
    )
    message = f"یک گزینهٔ معتبر انتخاب کنید. {other.pk} از گزینه‌های موجود نیست."
    assert response.status_code == 400
    assert response.context["bulk_form"].errors["booths"] == [message]
    assert (
        f'<div class="error" id="id_booths_error" role="alert"><p>{message}</p></div>'
        in response.content.decode()
    )


def test_booth_edit_empty_post_says_what_is_missing(client, organiser, site):
    booth = generate_grid(factories.hall(site, code="A"), 1, 2)[0]

    response = client.post(reverse("plan-booth-edit", args=[booth.pk]), {})

    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["price", "size_m2", "type"]
    assert 'class="error"' in response.content.decode()


def test_hall_page_numbers_rows_without_counting_aisles(client, organiser, site):
    hall = factories.hall(site, code="A")
    generate_grid(hall, 4, 2, aisle_every_rows=2)  # booths on grid rows 1, 2, 4 and 5; row 3 is an aisle

    response = client.get(reverse("plan-hall", args=[site.slug, "A"]))

    html = response.content.decode()
    assert re.findall(r'<p class="muted small plan-row">([^<]*)</p>', html) == [
        "ردیف ۱",
        "ردیف ۲",
        "ردیف ۳",
        "ردیف ۴",
    ]
    assert response.context["bulk_form"].fields["scope"].choices[2:] == [
        ("row-1", "ردیف ۱"),
        ("row-2", "ردیف ۲"),
        ("row-4", "ردیف ۳"),
        ("row-5", "ردیف ۴"),
    ]


def test_bulk_edit_of_the_row_after_an_aisle_changes_that_row(client, organiser, site):
    hall = factories.hall(site, code="A")
    generate_grid(hall, 4, 2, aisle_every_rows=2)

    response = client.post(
        reverse("plan-hall", args=[site.slug, "A"]), {"scope": "row-4", "has_power": "yes"}
    )

    assert response.status_code == 302
    assert sorted(Booth.objects.filter(has_power=True).values_list("code", flat=True)) == ["A-05", "A-06"]


def test_booth_page_counts_row_and_column_without_aisles(client, organiser, site):
    hall = factories.hall(site, code="A")
    generate_grid(hall, 4, 10, aisle_every_cols=5, aisle_every_rows=2)
    # The third row of booths, its sixth booth: grid row 4, column 7.
    booth = Booth.objects.get(hall=hall, code="A-26")

    html = client.get(reverse("plan-booth-edit", args=[booth.pk])).content.decode()

    assert (booth.row, booth.col) == (4, 7)
    assert "ردیف ۳، ستون ۶ در نقشه." in html


def grid_form_values(client, site, code: str = "A") -> dict:
    form = client.get(reverse("plan-hall", args=[site.slug, code])).context["grid_form"]
    return {name: form[name].value() for name in form.fields}


def test_regenerate_form_starts_from_the_halls_last_grid(client, organiser, site):
    hall = factories.hall(site, code="A")
    generate_grid(
        hall,
        4,
        6,
        code_pattern="S{n:03d}",
        start=7,
        aisle_every_cols=3,
        aisle_every_rows=2,
        back_to_back=True,
        defaults={"price": 5_000_000, "size_m2": Decimal("12.5")},
    )

    assert grid_form_values(client, site) == {
        "rows": 4,
        "cols": 6,
        "code_pattern": "S{n:03d}",
        "start": 7,
        "aisle_every_cols": 3,
        "aisle_every_rows": 2,
        "back_to_back": True,
        "size_m2": Decimal("12.50"),
        "price": 5_000_000,
    }


def test_regenerate_form_reads_row_and_column_codes_and_the_usual_price(client, organiser, site):
    hall = factories.hall(site, code="A")
    booths = generate_grid(hall, 2, 3, code_pattern="{row}{col}", defaults={"price": 2_000_000})
    bulk_update_booths(Booth.objects.filter(pk=booths[0].pk), {"price": 9_000_000})

    assert grid_form_values(client, site) == {
        "rows": 2,
        "cols": 3,
        "code_pattern": "{row}{col}",
        "start": 1,
        "aisle_every_cols": 0,
        "aisle_every_rows": 0,
        "back_to_back": False,
        "size_m2": Decimal("9.00"),
        "price": 2_000_000,
    }


def test_regenerate_form_of_a_hall_without_booths_has_the_defaults(client, organiser, site):
    factories.hall(site, code="A")

    assert grid_form_values(client, site) == {
        "rows": 6,
        "cols": 10,
        "code_pattern": "{hall}-{n:02d}",
        "start": 1,
        "aisle_every_cols": 0,
        "aisle_every_rows": 0,
        "back_to_back": None,
        "size_m2": 9,
        "price": 0,
    }


def test_regenerating_with_the_form_as_shown_keeps_the_same_booths(client, organiser, site):
    hall = factories.hall(site, code="A")
    generate_grid(hall, 4, 6, aisle_every_cols=3, aisle_every_rows=2, defaults={"price": 1_000_000})
    before = list(Booth.objects.filter(hall=hall).order_by("code").values_list("code", "row", "col", "price"))
    data = {
        k: "" if v is None else str(v) for k, v in grid_form_values(client, site).items() if v is not False
    }

    response = client.post(reverse("plan-regenerate", args=[site.slug, "A"]), data)

    assert response.status_code == 302
    after = list(Booth.objects.filter(hall=hall).order_by("code").values_list("code", "row", "col", "price"))
    assert after == before
