"""Who a sign-in limit counts against: the client address (with or without the proxy) and known browsers."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from vendors import limits


def request(remote: str = "203.0.113.7", forwarded: str | None = None, cookie: str | None = None):
    headers = {"x-forwarded-for": forwarded} if forwarded is not None else {}
    made = RequestFactory(REMOTE_ADDR=remote, headers=headers).get("/signin/")
    if cookie is not None:
        made.COOKIES[limits.KNOWN_BROWSER_COOKIE] = cookie
    return made


@pytest.mark.parametrize(
    "remote,expected",
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", "unknown"),
    ],
)
def test_client_address_without_a_proxy_is_remote_addr_ipv6_by_its_64(settings, remote, expected):
    settings.BEHIND_PROXY = False
    assert limits.client_address(request(remote, forwarded="198.51.100.1")) == expected


@pytest.mark.parametrize(
    "forwarded,expected",
    [
        ("198.51.100.7", "198.51.100.7"),
        ("10.1.2.3, 198.51.100.7", "198.51.100.7"),  # what the client wrote, then what nginx saw
        ("10.1.2.3,198.51.100.7 ", "198.51.100.7"),
        ("", "127.0.0.1"),  # straight to gunicorn, e.g. a health check
        ("10.1.2.3, not-an-address", "unknown"),
    ],
)
def test_client_address_behind_the_proxy_is_the_last_forwarded_entry(settings, forwarded, expected):
    settings.BEHIND_PROXY = True
    assert limits.client_address(request("127.0.0.1", forwarded=forwarded)) == expected


def test_a_browser_is_known_only_for_the_names_it_signed_in_with():
    response = HttpResponse()
    limits.remember_browser(request(), response, "Province")
    cookie = response.cookies[limits.KNOWN_BROWSER_COOKIE]
    assert (cookie["httponly"], cookie["samesite"]) == (True, "Lax")
    assert limits.is_known_browser(request(cookie=cookie.value), "province") is True
    assert limits.is_known_browser(request(cookie=cookie.value), "09161234567") is False
    assert limits.is_known_browser(request(cookie=cookie.value + "x"), "province") is False
    assert limits.is_known_browser(request(cookie="garbage"), "province") is False


def test_a_browser_remembers_its_last_five_names():
    cookie = ""
    for n in range(6):
        response = HttpResponse()
        limits.remember_browser(request(cookie=cookie), response, f"0916000000{n}")
        cookie = response.cookies[limits.KNOWN_BROWSER_COOKIE].value
    known = [limits.is_known_browser(request(cookie=cookie), f"0916000000{n}") for n in range(6)]
    assert known == [False, True, True, True, True, True]
