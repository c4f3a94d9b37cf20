"""Every answer under /api/ is JSON with a stable error code, whatever went wrong and wherever."""

import json

import pytest
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpResponse, HttpResponseNotAllowed
from django.test import Client, RequestFactory

from bazaarche.api_errors import ApiErrorMiddleware
from booths.gate.checkin import create_gate_token
from booths.models import Admission
from tests import factories

TOO_LARGE = {
    "error": "too_large",
    "message": "درخواست بیش از اندازه بزرگ است. فقط همان شیء JSON را که این رابط می‌خواهد بفرستید.",
    "messages": {
        "fa": "درخواست بیش از اندازه بزرگ است. فقط همان شیء JSON را که این رابط می‌خواهد بفرستید.",
        "en": "The request is too large. Send only the JSON object the API expects.",
    },
}
NOT_FOUND_EN = "There is no such address in the API."


@pytest.fixture
def key(db):
    _token, key = create_gate_token(factories.site(), "دروازه اصلی")
    return key


def test_checkin_api_body_over_the_limit_is_413_json(key):
    body = b'{"code": "' + b"x" * (12 * 1024 * 1024) + b'", "site": "s"}'

    response = Client().post(
        "/api/checkin/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == TOO_LARGE
    assert not Admission.objects.exists()


@pytest.mark.parametrize("path", ["/api/nothing/", "/api/nothing", "/api/checkin/extra/", "/api/"])
def test_unknown_api_address_is_404_json(db, path):
    response = Client().get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "not_found"
    assert response.json()["messages"]["en"] == NOT_FOUND_EN


def test_api_error_message_follows_the_language(db):
    response = Client().get("/api/nothing/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["message"] == NOT_FOUND_EN


def test_api_request_with_a_host_not_allowed_is_400_json(db):
    response = Client().get("/api/gate/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert set(response.json()["messages"]) == {"fa", "en"}


def test_pages_outside_the_api_keep_their_html_errors(db):
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def _through_middleware(view, path="/api/checkin/"):
    # The middleware around a view as Django wraps it: exceptions become responses first.
    middleware = ApiErrorMiddleware(convert_exception_to_response(view))
    request = RequestFactory().post(path)
    return middleware(request)


def test_method_not_allowed_from_django_becomes_json_and_keeps_allow():
    response = _through_middleware(lambda request: HttpResponseNotAllowed(["POST"]))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert json.loads(response.content)["error"] == "method_not_allowed"


def test_a_crash_in_an_api_view_is_500_json():
    def crash(request):
        raise RuntimeError("boom")

    response = _through_middleware(crash)

    assert response.status_code == 500
    assert json.loads(response.content)["error"] == "server_error"
    assert "boom" not in response.content.decode()


def test_a_suspicious_request_is_400_json():
    def suspicious(request):
        raise SuspiciousOperation("odd")

    response = _through_middleware(suspicious)

    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "bad_request"


def test_json_and_successful_answers_pass_unchanged():
    ok = HttpResponse("plain", status=200)
    assert _through_middleware(lambda request: ok) is ok
    outside = HttpResponse("<p>gone</p>", status=404)
    assert _through_middleware(lambda request: outside, path="/organiser/") is outside
