"""The error pages: 400, 403, 404, 500 and a form refused by the CSRF check, each in the site's
layout and the page's language, with a way back."""

import re

import pytest
from django.test import Client, RequestFactory

from bazaarche.errors import server_error
from tests import factories

HEADINGS = {
    400: {"fa": "درخواست شما خوانده نشد", "en": "The request could not be read"},
    403: {"fa": "اجازهٔ دیدن این صفحه را ندارید", "en": "You cannot open this page"},
    404: {"fa": "این صفحه پیدا نشد", "en": "This page was not found"},
    500: {"fa": "مشکلی پیش آمد", "en": "Something went wrong"},
}
PREFIX = {"fa": "", "en": "/en"}
LAYOUT = ["error_page.html", "base.html"]


@pytest.fixture(autouse=True)
def failing_urls(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.bazaarche.error_urls"


def page_of(response) -> dict:
    html = response.content.decode()
    root = re.search(r'<html lang="([a-z]+)" dir="([a-z]+)">', html)
    return {
        "lang": root.group(1),
        "dir": root.group(2),
        "h1": re.search(r"<h1>(.*?)</h1>", html, re.S).group(1),
        "links": re.findall(r'<a class="button[^"]*" href="([^"]*)">([^<]*)</a>', html),
    }


def templates_of(response) -> list[str]:
    return [template.name for template in response.templates]


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize(
    "status,path",
    [(400, "/failing/400/"), (403, "/failing/403/"), (404, "/no-such-page/"), (500, "/failing/500/")],
)
def test_error_page_in_the_layout_and_language(db, status, path, language):
    response = Client(raise_request_exception=False).get(PREFIX[language] + path)

    assert response.status_code == status
    assert templates_of(response)[:1] + templates_of(response)[-2:] == [f"{status}.html", *LAYOUT]
    page = page_of(response)
    assert page["lang"] == language
    assert page["dir"] == ("rtl" if language == "fa" else "ltr")
    assert page["h1"] == HEADINGS[status][language]
    home = {"fa": "صفحهٔ اصلی", "en": "Home page"}[language]
    assert page["links"][-1] == (PREFIX[language] + "/", home)


def test_403_page_offers_a_visitor_to_sign_in(db):
    response = Client().get("/failing/403/")

    assert page_of(response)["links"] == [
        ("/signin/?next=%2Ffailing%2F403%2F", "ورود"),
        ("/", "صفحهٔ اصلی"),
    ]


def test_403_page_for_someone_signed_in_offers_no_sign_in(db):
    client = Client()
    client.force_login(factories.user())

    response = client.get("/en/failing/403/", HTTP_REFERER="http://testserver/en/me/")

    assert page_of(response)["links"] == [
        ("http://testserver/en/me/", "Back to the previous page"),
        ("/en/", "Home page"),
    ]


def test_404_page_goes_back_only_to_a_page_of_this_site(db):
    ours = Client().get("/no-such-page/", HTTP_REFERER="http://testserver/vendors/")
    theirs = Client().get("/no-such-page/", HTTP_REFERER="https://elsewhere.example/")

    assert page_of(ours)["links"] == [
        ("http://testserver/vendors/", "بازگشت به صفحهٔ قبل"),
        ("/", "صفحهٔ اصلی"),
    ]
    assert page_of(theirs)["links"] == [("/", "صفحهٔ اصلی")]


@pytest.mark.parametrize(
    "path,heading,again,home",
    [
        ("/signin/", "فرم فرستاده نشد", "باز کردن دوبارهٔ فرم", "صفحهٔ اصلی"),
        ("/en/signin/", "The form was not sent", "Open the form again", "Home page"),
    ],
)
def test_form_refused_by_the_csrf_check_is_a_page_in_the_language(db, path, heading, again, home):
    client = Client(enforce_csrf_checks=True)

    response = client.post(path, {"mobile": "09161234567"}, HTTP_REFERER=f"http://testserver{path}")

    assert response.status_code == 403
    assert templates_of(response)[:1] + templates_of(response)[-2:] == ["403_csrf.html", *LAYOUT]
    page = page_of(response)
    assert page["h1"] == heading
    assert page["links"] == [(f"http://testserver{path}", again), (path.removesuffix("signin/"), home)]


def test_500_page_needs_no_request_and_no_database():
    # No database here (no db fixture: a query would raise), and the request has no user and no
    # session: what failed may have been those.
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert page_of(response) == {
        "lang": "fa",
        "dir": "rtl",
        "h1": "مشکلی پیش آمد",
        "links": [("/", "صفحهٔ اصلی")],
    }
    assert 'class="topnav"' not in response.content.decode()


def test_api_errors_stay_json(db):
    response = Client(raise_request_exception=False).get("/api/nothing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize(
    "path,switch", [("/no-such-page/?q=1", "/en/no-such-page/?q=1"), ("/en/no-such-page/", "/no-such-page/")]
)
def test_404_page_switches_language_to_the_same_address(db, path, switch):
    html = Client().get(path).content.decode()

    assert re.findall(r'<a class="lang" href="([^"]*)"', html) == [switch]
