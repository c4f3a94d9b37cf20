"""What a phone on a thin link must fetch before it can paint a page: budgeted so it does not creep back.

The critical path is the page's HTML and the stylesheets in its head, as they travel (compressed).
The stylesheets are written into the page (bazaarche/stylesheets.py), so it is one round trip; the
font is not on it: it is not preloaded, and `font-display: swap` paints the text at once in the
phone's own font.
"""

import base64
import gzip
import hashlib
import re
from pathlib import Path

import polib
import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 12_000  # bytes on the wire: a second at 100 kbit/s; today's pages weigh 7-9 KB


def critical_path(client: Client, address: str) -> tuple[int, str]:
    response = client.get(address, HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    head = html.split("</head>")[0]
    weight = len(response.content)
    for href in re.findall(r'<link rel="stylesheet" href="/static/([^"?]+)"', head):
        weight += len(gzip.compress(Path(finders.find(href)).read_bytes()))  # WhiteNoise's .gz
    return weight, head


@pytest.mark.django_db
def test_public_and_vendor_pages_fit_the_budget_compressed_and_without_a_preloaded_font(client):
    site = factories.site()
    vendor = factories.vendor(user=factories.user())
    addresses = ["/", f"/sites/{site.slug}/", "/vendors/", "/en/"]
    for address in addresses:
        weight, head = critical_path(client, address)
        assert weight <= BUDGET, (address, weight)
        assert 'rel="preload"' not in head
        assert 'rel="stylesheet"' not in head  # a linked stylesheet is a second round trip
    client.force_login(vendor.user)
    weight, _head = critical_path(client, "/me/")
    assert weight <= BUDGET


def test_the_font_swaps_in_rather_than_holding_the_text_back():
    css = Path(finders.find("css/app.css")).read_text(encoding="utf-8")
    face = css[css.index("@font-face") : css.index("}", css.index("@font-face"))]
    assert "font-display: swap" in face


@pytest.mark.django_db
def test_pages_are_not_compressed_for_a_client_that_does_not_ask(client):
    response = client.get("/")
    assert "Content-Encoding" not in response


@pytest.mark.django_db
def test_the_policy_allows_exactly_the_styles_the_page_writes_in(client):
    site = factories.site()
    response = client.get(f"/sites/{site.slug}/")
    html = response.content.decode()
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) >= 2  # the shell's and the visitors' pages'
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    allowed = policy["style-src"].split()
    for style in styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed
    assert "'unsafe-inline'" not in allowed
    assert 'url("/static/fonts/' in styles[0]  # absolute: a relative url() would follow the page's address


def test_the_web_font_is_the_cut_one():
    """`make font` keeps the letters and weights the pages use; the whole font was 111 KB."""
    assert Path(finders.find("fonts/Vazirmatn-Variable.woff2")).stat().st_size < 40_000


def test_the_cut_font_has_every_letter_the_pages_and_the_reference_data_write():
    """A letter missing from the font is drawn in the phone's own font, out of place inside a word."""
    from fontTools.ttLib import TTFont

    letters = TTFont(finders.find("fonts/Vazirmatn-Variable.woff2")).getBestCmap()
    catalogue = polib.pofile(str(ROOT / "locale/fa/LC_MESSAGES/django.po"))
    texts = [entry.msgstr + "".join(entry.msgstr_plural.values()) for entry in catalogue]
    texts += [path.read_text(encoding="utf-8") for path in (ROOT / "templates").rglob("*.html")]
    texts += [path.read_text(encoding="utf-8") for path in (ROOT / "data").glob("*.csv")]
    missing = {char for text in texts for char in text if ord(char) > 0x20 and ord(char) not in letters}
    assert not missing, f"add these to FONT_LETTERS in the Makefile and run make font: {sorted(missing)}"
