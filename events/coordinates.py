"""A venue's place from what an organiser pastes: a map link (Neshan, Balad, Google Maps, OpenStreetMap, geo:)
or typed numbers (decimal degrees, Persian digits welcome, or Google's degrees-minutes-seconds).

Nothing is fetched: a short link (goo.gl, nshn.ir…) only says where it leads when opened, so it is refused
with a message saying what to copy instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs, unquote_plus, urlsplit

from django.utils.translation import gettext_lazy as _

from bazaarche.text import digits_for_language, is_persian, normalize

# Roughly Iran: a point outside this box is a typing slip (or a link to somewhere else).
LATITUDES = (Decimal(25), Decimal(40))
LONGITUDES = (Decimal(44), Decimal(64))
PLACES = Decimal("0.000001")  # Venue.latitude/longitude keep six decimals (about 10 cm)

SHORT_LINK_HOSTS = frozenset(
    {"goo.gl", "maps.app.goo.gl", "g.co", "g.page", "nshn.ir", "bit.ly", "tinyurl.com", "osm.org"}
)

_NUMBER = r"[-+]?\d{1,3}(?:\.\d+)?"
_PAIR = re.compile(rf"({_NUMBER})\s*,\s*({_NUMBER})")
# Possessive, and only where a host name can begin: a long "a.a.a.a…" is read once, not once per letter.
_URL = re.compile(r"(?<![\w.-])(?:https?://)?(?:[a-z0-9-]++\.)++[a-z]{2,}+(?=[/?#:]|\s|$)\S*", re.IGNORECASE)
_GEO_URI = re.compile(rf"geo:\s*({_NUMBER})\s*,\s*({_NUMBER})", re.IGNORECASE)
# Google's place pages: !3d<lat>!4d<lng> is the place itself, @<lat>,<lng> only the middle of the map.
_GOOGLE_PLACE = re.compile(rf"!3d({_NUMBER})!4d({_NUMBER})")
_AT_PAIR = re.compile(rf"@({_NUMBER}),({_NUMBER})")
# OpenStreetMap #map=zoom/lat/lng; Balad #zoom/lat/lng; Neshan #c<lat>-<lng>-<zoom>z.
_SLASHED = re.compile(rf"(?:^|map=)\d{{1,2}}(?:\.\d+)?/({_NUMBER})/({_NUMBER})")
_NESHAN_HASH = re.compile(r"^c(\d{1,3}(?:\.\d+)?)-(\d{1,3}(?:\.\d+)?)-")
_QUERY_PAIRS = (("mlat", "mlon"), ("latitude", "longitude"), ("lat", "lng"), ("lat", "lon"))
_QUERY_ONE = ("q", "query", "ll", "center", "destination", "daddr")
# A number not glued to other digits, a point or a letter ("1e3" is no coordinate).
_LOOSE_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?![\w.])")
_HEMISPHERE = re.compile(rf"(?<![\d.])({_NUMBER})\s*°?\s*([NSEW])\b", re.IGNORECASE)
_DMS = re.compile(
    r"(?<![\d.])(\d{1,3})\s*°\s*(?:(\d{1,2}(?:\.\d+)?)\s*['′’]\s*)?(?:(\d{1,2}(?:\.\d+)?)\s*(?:\"|″|”|′′|'')\s*)?([NSEW])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Location:
    latitude: Decimal
    longitude: Decimal


@dataclass(frozen=True)
class LocationProblem:
    """Why no place was read; `numbers` are the ones read when they lie outside Iran."""

    SHORT_LINK = "short_link"
    NO_COORDINATES = "no_coordinates"
    UNREADABLE = "unreadable"
    OUTSIDE_IRAN = "outside_iran"
    CODES = (SHORT_LINK, NO_COORDINATES, UNREADABLE, OUTSIDE_IRAN)

    code: str
    numbers: tuple[str, str] | None = None

    @property
    def message(self) -> str:
        if self.code == self.SHORT_LINK:
            return _(
                "This is a short link, and the place cannot be read from it without opening it. Open the "
                "link, then copy the long link from the browser's address bar, or type the place's two "
                "numbers, like 33.4878, 48.3558."
            )
        if self.code == self.NO_COORDINATES:
            return _(
                "This link does not hold the place's numbers. Open it, bring the place to the middle of the "
                "map, and copy the link from the browser's address bar again; or type the place's two "
                "numbers, like 33.4878, 48.3558."
            )
        if self.code == self.OUTSIDE_IRAN:
            latitude, longitude = self.numbers or ("", "")
            return _(
                "The point %(latitude)s, %(longitude)s is outside Iran. In Iran the latitude (the first "
                "number) is between 25 and 40 and the longitude (the second) between 44 and 64; please check "
                "the numbers."
            ) % {"latitude": _number(latitude), "longitude": _number(longitude)}
        return _(
            "No place could be read from this. Paste the place's link from Neshan, Balad, Google Maps or "
            "OpenStreetMap, or type its latitude and then its longitude, like 33.4878, 48.3558."
        )


def _number(text: str) -> str:
    # Persian writes a decimal point as «٫», as the field's own example does.
    return digits_for_language(text).replace(".", "٫") if is_persian() else text


def read_location(text: str) -> Location | LocationProblem:
    """The place a pasted link or typed numbers point to, or why there is none. Never raises."""
    cleaned = normalize(text).replace("٫", ".").replace("،", ",").replace("٬", "")
    geo = _GEO_URI.search(cleaned)
    if geo:
        return _checked(*geo.groups())
    url = _URL.search(cleaned)
    if url:
        return _from_link(url.group(0))
    return _from_numbers(cleaned)


def _from_link(link: str) -> Location | LocationProblem:
    try:
        parts = urlsplit(link if "://" in link else "https://" + link)
    except ValueError:  # a stray "[" reads as a broken IPv6 address
        return LocationProblem(LocationProblem.NO_COORDINATES)
    host = (parts.hostname or "").removeprefix("www.")
    if host in SHORT_LINK_HOSTS or (host == "openstreetmap.org" and parts.path.startswith("/go/")):
        return LocationProblem(LocationProblem.SHORT_LINK)
    found = _pair_in_link(parts)
    return _checked(*found) if found else LocationProblem(LocationProblem.NO_COORDINATES)


def _pair_in_link(parts) -> tuple[str, str] | None:
    query = {key.lower(): values[0].strip() for key, values in parse_qs(parts.query).items()}
    for lat_key, lng_key in _QUERY_PAIRS:
        lat, lng = query.get(lat_key, ""), query.get(lng_key, "")
        if re.fullmatch(_NUMBER, lat) and re.fullmatch(_NUMBER, lng):
            return lat, lng
    path = unquote_plus(parts.path)
    match = _GOOGLE_PLACE.search(path) or _GOOGLE_PLACE.search(unquote_plus(parts.query))
    if match:
        return match.group(1), match.group(2)
    for key in _QUERY_ONE:
        match = _PAIR.fullmatch(query.get(key, "").removeprefix("loc:").strip())
        if match:
            return match.group(1), match.group(2)
    match = _AT_PAIR.search(path)
    if match:
        return match.group(1), match.group(2)
    fragment = unquote_plus(parts.fragment)
    for pattern in (_SLASHED, _NESHAN_HASH):
        match = pattern.search(fragment)
        if match:
            return match.group(1), match.group(2)
    for segment in path.split("/"):
        match = _PAIR.fullmatch(segment.strip())
        if match:
            return match.group(1), match.group(2)
    return None


def _from_numbers(text: str) -> Location | LocationProblem:
    dms = _DMS.findall(text)
    if len(dms) == 2:
        return _by_hemisphere([(_degrees(*d[:3]), d[3]) for d in dms])
    labelled = _HEMISPHERE.findall(text)
    if len(labelled) == 2:
        return _by_hemisphere([(Decimal(n), h) for n, h in labelled])
    numbers = _LOOSE_NUMBER.findall(text)
    if len(numbers) != 2 or not re.fullmatch(r"[-+\d.,;/\s°]*", text):
        return LocationProblem(LocationProblem.UNREADABLE)
    if not all(re.fullmatch(_NUMBER, n) for n in numbers):
        return LocationProblem(LocationProblem.UNREADABLE)  # four digits before the point: no degree
    first, second = numbers
    if _outside(Decimal(first), Decimal(second)) and not _outside(Decimal(second), Decimal(first)):
        # Iran's latitudes and longitudes do not overlap, so numbers typed the other way round are clear.
        first, second = second, first
    return _checked(first, second)


def _degrees(degrees: str, minutes: str, seconds: str) -> Decimal:
    return Decimal(degrees) + Decimal(minutes or 0) / 60 + Decimal(seconds or 0) / 3600


def _by_hemisphere(values: list[tuple[Decimal, str]]) -> Location | LocationProblem:
    signed = {h.upper(): (-v if h.upper() in "SW" else v) for v, h in values}
    latitude = signed.get("N", signed.get("S"))
    longitude = signed.get("E", signed.get("W"))
    if latitude is None or longitude is None:
        return LocationProblem(LocationProblem.UNREADABLE)
    return _checked(str(latitude), str(longitude))


def _outside(latitude: Decimal, longitude: Decimal) -> bool:
    return not (LATITUDES[0] <= latitude <= LATITUDES[1] and LONGITUDES[0] <= longitude <= LONGITUDES[1])


def _checked(latitude: str, longitude: str) -> Location | LocationProblem:
    lat, lng = (Decimal(v).quantize(PLACES, rounding=ROUND_HALF_UP) for v in (latitude, longitude))
    if _outside(lat, lng):
        return LocationProblem(LocationProblem.OUTSIDE_IRAN, (_shown(lat), _shown(lng)))
    return Location(lat, lng)


def _shown(value: Decimal) -> str:
    return format(value.normalize(), "f")
