"""Reading a venue's place from a pasted map link or typed numbers (events.coordinates)."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from events.coordinates import Location, LocationProblem, read_location


def point(latitude: str, longitude: str) -> Location:
    return Location(Decimal(latitude), Decimal(longitude))


@pytest.mark.parametrize(
    "text,expected",
    [
        # Neshan
        ("https://neshan.org/maps/@35.699739,51.338097,15.0z,0.0p", point("35.699739", "51.338097")),
        ("neshan.org/maps/@33.4878,48.3558,16z", point("33.487800", "48.355800")),
        ("https://neshan.org/maps/places/_bvQ5Sx3e7LS#c33.487-48.355-16z-0p", point("33.487", "48.355")),
        # Balad
        (
            "https://balad.ir/location?latitude=35.826644&longitude=50.968268&zoom=16.500000",
            point("35.826644", "50.968268"),
        ),
        ("https://balad.ir/p/gnhH5Pjl9fHiYd?preview=true#15/35.7/51.4", point("35.7", "51.4")),
        ("https://balad.ir/#16.5/33.48781/48.35584", point("33.48781", "48.35584")),
        # Google Maps
        ("https://www.google.com/maps/@35.7,51.4,15z", point("35.7", "51.4")),
        ("https://www.google.com/maps?q=35.7,51.4", point("35.7", "51.4")),
        ("https://maps.google.com/?q=loc:35.7%2C51.4", point("35.7", "51.4")),
        ("https://www.google.com/maps/search/?api=1&query=33.4878,48.3558", point("33.4878", "48.3558")),
        ("https://www.google.com/maps/search/33.4878,+48.3558", point("33.4878", "48.3558")),
        # A place page: the place's own point (!3d!4d), not the middle of the map (@).
        (
            "https://www.google.com/maps/place/Kio+Park/@33.4801,48.3502,15z/data=!4m6!3m5!1s0x0:0x0"
            "!8m2!3d33.4878117!4d48.3558243!16s",
            point("33.487812", "48.355824"),
        ),
        ("https://www.google.com/maps/place/Kio+Park/@33.4801,48.3502,15z", point("33.4801", "48.3502")),
        ("https://www.google.co.ir/maps/@33.4878,48.3558,17z?hl=fa", point("33.4878", "48.3558")),
        # OpenStreetMap: the marker (mlat/mlon) before the middle of the map
        ("https://www.openstreetmap.org/#map=15/35.7/51.4", point("35.7", "51.4")),
        (
            "https://www.openstreetmap.org/?mlat=33.48760&mlon=48.35580#map=17/33.48000/48.35000",
            point("33.4876", "48.3558"),
        ),
        # a phone's geo: link, and a link inside shared text
        ("geo:33.4878,48.3558?z=16", point("33.4878", "48.3558")),
        ("پارک کیو\nhttps://neshan.org/maps/@33.4878,48.3558,16z", point("33.4878", "48.3558")),
    ],
)
def test_read_location_map_links(text, expected):
    assert read_location(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("33.4878, 48.3558", point("33.4878", "48.3558")),
        ("33.4878 48.3558", point("33.4878", "48.3558")),
        ("33.4878,48.3558", point("33.4878", "48.3558")),
        ("۳۳٫۴۸۷۸، ۴۸٫۳۵۵۸", point("33.4878", "48.3558")),
        ("۳۳.۴۸۷۸ , ۴۸.۳۵۵۸", point("33.4878", "48.3558")),
        ("٣٣٫٤٨٧٨، ٤٨٫٣٥٥٨", point("33.4878", "48.3558")),
        ("33, 48", point("33", "48")),
        ("  33.4878\t48.3558  ", point("33.4878", "48.3558")),
        # more decimals than stored are rounded to six (about 10 cm)
        ("33.48781234567, 48.35582", point("33.487812", "48.35582")),
        # Iran's latitudes and longitudes do not overlap, so numbers typed the other way round are turned
        ("48.3558, 33.4878", point("33.4878", "48.3558")),
        # what Google Maps shows for a point
        ("33°29'16.1\"N 48°21'20.9\"E", point("33.487806", "48.355806")),
        ("33.4878° N, 48.3558° E", point("33.4878", "48.3558")),
        ("48.3558° E, 33.4878° N", point("33.4878", "48.3558")),
    ],
)
def test_read_location_typed_numbers(text, expected):
    assert read_location(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "https://goo.gl/maps/Abc123",
        "https://maps.app.goo.gl/xYz9AbC",
        "maps.app.goo.gl/xYz9AbC",
        "https://nshn.ir/_bvQ5Sx3e7LS",
        "https://g.page/kio-park",
        "https://osm.org/go/0FZ8Ag--",
        "See https://maps.app.goo.gl/xYz9AbC for the place",
    ],
)
def test_read_location_short_link_refused(text):
    assert read_location(text) == LocationProblem(LocationProblem.SHORT_LINK)


@pytest.mark.parametrize(
    "text",
    [
        "https://neshan.org/maps/places/_bvQ5Sx3e7LS",
        "https://balad.ir/p/gnhH5Pjl9fHiYd",
        "https://www.google.com/maps/place/Kio+Park",
        "https://www.google.com/maps?q=Kio+Park+Khorramabad",
        "https://www.openstreetmap.org/way/123456",
        "https://example.com/",
    ],
)
def test_read_location_link_without_coordinates_refused(text):
    assert read_location(text) == LocationProblem(LocationProblem.NO_COORDINATES)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "پارک کیو", "33.4878", "33.4878, 48.3558, 12.5", "33,4878 48,3558", "1e3, 48", "NaN, NaN"],
)
def test_read_location_unreadable_text_refused(text):
    assert read_location(text) == LocationProblem(LocationProblem.UNREADABLE)


@pytest.mark.parametrize(
    "text,numbers",
    [
        ("51.5074, -0.1278", ("51.5074", "-0.1278")),
        ("https://www.google.com/maps/@48.8566,2.3522,12z", ("48.8566", "2.3522")),
        # a link says which number is which, so it is not turned round
        ("https://balad.ir/location?latitude=48.35&longitude=33.48", ("48.35", "33.48")),
        ("-33.4878, -48.3558", ("-33.4878", "-48.3558")),
        ("999.5, 48.3558", ("999.5", "48.3558")),
        ("33.4878° S, 48.3558° E", ("-33.4878", "48.3558")),
    ],
)
def test_read_location_outside_iran_refused(text, numbers):
    assert read_location(text) == LocationProblem(LocationProblem.OUTSIDE_IRAN, numbers)


def test_location_problem_messages_name_what_to_do():
    with translation.override("en"):
        assert str(LocationProblem(LocationProblem.SHORT_LINK).message) == (
            "This is a short link, and the place cannot be read from it without opening it. Open the "
            "link, then copy the long link from the browser's address bar, or type the place's two "
            "numbers, like 33.4878, 48.3558."
        )
        assert str(LocationProblem(LocationProblem.OUTSIDE_IRAN, ("51.5074", "-0.1278")).message) == (
            "The point 51.5074, -0.1278 is outside Iran. In Iran the latitude (the first number) is "
            "between 25 and 40 and the longitude (the second) between 44 and 64; please check the numbers."
        )
    with translation.override("fa"):
        assert str(LocationProblem(LocationProblem.OUTSIDE_IRAN, ("51.5074", "-0.1278")).message) == (
            "نقطهٔ ۵۱٫۵۰۷۴، -۰٫۱۲۷۸ بیرون از ایران است. در ایران عرض جغرافیایی (عدد نخست) میان ۲۵ تا ۴۰ "
            "و طول جغرافیایی (عدد دوم) میان ۴۴ تا ۶۴ است؛ لطفاً عددها را بررسی کنید."
        )


# Pieces of links and numbers, so that hypothesis reaches the parser's branches, not only its refusals.
MAP_PIECES = st.sampled_from(
    [
        *"0123456789۰۱۲۳۴۵۶۷۸۹٫،.,-+ °'\"NSEWnsew@#/?&=:![]%z",
        *["https://", "neshan.org/maps/@", "balad.ir/", "google.com/maps/", "openstreetmap.org/#map="],
        *["goo.gl/", "geo:", "?q=", "?mlat=", "&mlon=", "latitude=", "&longitude=", "!3d", "!4d", "#c"],
        *["33", "48", ".4878", "999", "1e3"],
    ]
)
MAP_TEXT = st.lists(MAP_PIECES, max_size=30).map("".join)


@settings(deadline=None)  # the machine is shared; a slow example is no failure
@given(st.one_of(MAP_TEXT, st.text(max_size=200)))
def test_read_location_never_raises_and_stays_in_iran(text):
    result = read_location(text)
    if isinstance(result, Location):
        assert Decimal(25) <= result.latitude <= Decimal(40)
        assert Decimal(44) <= result.longitude <= Decimal(64)
        assert -result.latitude.as_tuple().exponent <= 6
        assert -result.longitude.as_tuple().exponent <= 6
    else:
        assert result.code in LocationProblem.CODES
        assert str(result.message)


@settings(deadline=None)
@given(
    st.decimals(min_value=25, max_value=40, places=6),
    st.decimals(min_value=44, max_value=64, places=6),
    st.sampled_from(["{}, {}", "{} {}", "https://neshan.org/maps/@{},{},15z", "geo:{},{}"]),
)
def test_read_location_reads_back_any_point_in_iran(latitude, longitude, form):
    assert read_location(form.format(latitude, longitude)) == Location(latitude, longitude)
