"""The database away: 503 with Retry-After and a page in the visitor's language (JSON under /api/),
rendered without the database; a visitor's page from its last good copy (bazaarche/outage.py,
events/public_cache.py)."""

import contextlib
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connections
from django.db.utils import OperationalError
from django.test import Client, RequestFactory

from bazaarche.outage import outage_response
from events.public_cache import bump_public_version
from tests import factories
from tests.bazaarche.test_errors import page_of as error_page_of

BUSY = {"fa": "سایت چند لحظه‌ای مشغول است", "en": "The site is busy for a moment"}


@contextlib.contextmanager
def database_away():
    """Every query fails as it does when PostgreSQL refuses connections."""
    refused = OperationalError("connection refused: is the server running on port 5432?")
    with mock.patch.object(connections["default"], "ensure_connection", side_effect=refused):
        yield


@pytest.fixture(autouse=True)
def _no_cached_pages(settings):
    settings.DEBUG = False
    cache.clear()  # pages cached by other tests would answer before the database is asked
    yield
    cache.clear()


def page_of(response) -> dict:
    """The error page's parts (tests/bazaarche/test_errors.py), and the sentence under its title."""
    html = response.content.decode()
    return error_page_of(response) | {"sentence": re.search(r"</h1>\s*<p>(.*?)</p>", html, re.S).group(1)}


def assert_outage_headers(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware, outside
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path,language,again",
    [("/?county=khorramabad", "fa", "دوباره امتحان کنید"), ("/en/vendors/", "en", "Try again")],
)
def test_a_page_while_the_database_is_away_is_503_in_its_language(db, path, language, again):
    client = Client(raise_request_exception=False)

    with database_away():
        response = client.get(path)

    assert_outage_headers(response)
    assert [t.name for t in response.templates][:3] == ["503.html", "error_page.html", "base.html"]
    assert page_of(response) == {
        "lang": language,
        "dir": "rtl" if language == "fa" else "ltr",
        "h1": BUSY[language],
        "sentence": {
            "fa": "مشکل از طرف شما نیست. چند ثانیهٔ دیگر دوباره امتحان کنید.",
            "en": "Nothing is wrong on your side. Try again in a few seconds.",
        }[language],
        "links": [(path.replace("&", "&amp;"), again)],
    }
    assert "{% stylesheet" not in response.content.decode()
    assert "<style>" in response.content.decode()  # the site's stylesheet, as on every page


def test_a_form_sent_while_the_database_is_away_says_to_go_back_and_send_it_again(db):
    client = Client(raise_request_exception=False)

    with database_away():
        response = client.post("/signin/", {"mobile": "09161234567"})

    assert_outage_headers(response)
    page = page_of(response)
    assert page["h1"] == BUSY["fa"]
    assert page["sentence"] == (
        "آنچه نوشته بودید از دست نرفته است: دکمهٔ بازگشت مرورگر را بزنید و چند ثانیهٔ دیگر فرم را دوباره بفرستید."
    )
    assert page["links"] == []  # a link away would be a page without what they typed


def test_a_signed_in_vendor_whose_session_cannot_be_read_gets_503(db):
    client = Client(raise_request_exception=False)
    client.force_login(factories.user())

    with database_away():
        response = client.get("/me/")

    assert_outage_headers(response)
    assert page_of(response)["h1"] == BUSY["fa"]


def test_the_database_failing_inside_the_session_middleware_is_503_too(db, settings):
    # The view needs no database; saving its new session after it does, in SessionMiddleware, where
    # Django turns the error into an answer before any other middleware could see it.
    settings.ROOT_URLCONF = "tests.bazaarche.outage_urls"
    client = Client(raise_request_exception=False)

    with database_away():
        response = client.get("/en/remember/")

    assert_outage_headers(response)
    assert page_of(response)["h1"] == BUSY["en"]


def test_the_api_while_the_database_is_away_is_json_503(db):
    client = Client(raise_request_exception=False)

    with database_away():
        response = client.post(
            "/api/checkin/",
            {"code": "X", "site": "a-site"},
            content_type="application/json",
            headers={"Authorization": "Token some-gate-key"},
        )

    assert_outage_headers(response)
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "unavailable",
        "message": "سایت چند لحظه‌ای مشغول است. چند ثانیهٔ دیگر دوباره امتحان کنید.",
        "messages": {
            "fa": "سایت چند لحظه‌ای مشغول است. چند ثانیهٔ دیگر دوباره امتحان کنید.",
            "en": "The site is busy for a moment. Try again in a few seconds.",
        },
    }


def test_the_503_page_needs_no_request_context_and_no_database():
    # No db fixture: a query would raise, and the page would fall back to two plain sentences
    # without a heading.
    response = outage_response(RequestFactory().post("/en/sites/x/apply/"))

    assert response.status_code == 503
    assert page_of(response)["h1"] == BUSY["en"]
    assert 'class="topnav"' not in response.content.decode()


# The page cache is used only for committed data: the tests below commit.


@pytest.fixture
def site_page(reference_data):
    site = factories.site(factories.exhibition(), title_en="Open today")
    return f"/en/sites/{site.slug}/", site


def test_a_visitor_gets_the_last_good_copy_while_the_database_is_away(site_page):
    url, _site = site_page
    client = Client(raise_request_exception=False)
    fresh = client.get(url)
    assert fresh.status_code == 200
    bump_public_version()  # the copy is no longer current: the view must be asked

    with database_away():
        stale = client.get(url)

    assert stale.status_code == 200
    assert stale.content == fresh.content
    assert stale["X-Bazaarche-Stale"] == "1"
    assert stale["Cache-Control"] == "no-store"
    assert "ETag" not in stale
    assert stale["Content-Language"] == "en"


def test_an_address_never_served_gets_the_503_page(site_page):
    url, _site = site_page
    client = Client(raise_request_exception=False)
    client.get(url)

    with database_away():
        response = client.get("/en/vendors/")

    assert_outage_headers(response)
    assert "X-Bazaarche-Stale" not in response


def test_a_page_gone_since_has_no_last_good_copy(site_page):
    url, site = site_page
    client = Client(raise_request_exception=False)
    assert client.get(url).status_code == 200
    site.exhibition.status = "draft"
    site.exhibition.save()
    assert client.get(url).status_code == 404

    with database_away():
        response = client.get(url)

    assert_outage_headers(response)
