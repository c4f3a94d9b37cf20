"""Answers under /api/: JSON, errors included, each error with a stable code.

api_error() is the one shape of an API error: {"error": code, "message": in the request's
language, "messages": {"fa": …, "en": …}}. ApiErrorMiddleware keeps every answer under /api/ in
that shape, whatever went wrong and wherever: a body too large to read, a suspicious request, an
unknown address, a method Django refuses, a crash; Django's own error pages are HTML, which a gate
phone cannot read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from bazaarche.bilingual import each

API_PREFIX = "/api/"
# Headers of Django's own error answer that do not hold for the JSON one; the others (Allow,
# WWW-Authenticate, the security headers) are kept.
REPLACED_HEADERS = {"content-type", "content-length", "cache-control", "expires"}

# The answer for an error status when the view gave none of its own.
STATUS_ERRORS = {
    400: ("bad_request", _("The request could not be read. Send the JSON object the API expects.")),
    401: ("unauthorised", _("Sign in with a valid gate key. This key is unknown or has been revoked.")),
    403: ("forbidden", _("This request is not allowed.")),
    404: ("not_found", _("There is no such address in the API.")),
    405: ("method_not_allowed", _("This address of the API does not take this method.")),
    413: ("too_large", _("The request is too large. Send only the JSON object the API expects.")),
    500: ("server_error", _("Something went wrong on the server. Try again in a moment.")),
}
OTHER_ERROR = ("error", _("The request could not be answered. Try again in a moment."))

security_logger = logging.getLogger("django.security.RequestDataTooBig")


def api_error(status: int, code: str, message, **extra) -> JsonResponse:
    """An API error: the status, a stable code, the message in Persian and English."""
    messages = each(partial(str, message))
    body = {"error": code, "message": messages["en" if translation.get_language() == "en" else "fa"]}
    body |= {"messages": messages, **extra}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Token realm="gate"'
    return response


def status_error(request: HttpRequest, status: int) -> JsonResponse:
    """The API's answer for an error status, in the request's language (this may run before
    LocaleMiddleware has chosen it, or after another request's language was left active)."""
    code, message = STATUS_ERRORS.get(status, OTHER_ERROR)
    with translation.override(translation.get_language_from_request(request)):
        response = api_error(status, code, message)
    add_never_cache_headers(response)
    return response


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


class ApiErrorMiddleware:
    """Every error answer under /api/ as JSON; see the module's docstring.

    First in MIDDLEWARE, so that it also sees what the other middleware answer (a host that is not
    allowed is refused before any view runs).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response  # the view's own error, already in shape
        # Django answered for itself (an unknown address, an exception turned into an HTML page;
        # it has logged what needed logging): the same status, in the API's shape.
        replacement = status_error(request, response.status_code)
        for header, value in response.headers.items():
            if header.lower() not in REPLACED_HEADERS:
                replacement[header] = value
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Only what Django would turn into a misleading status: a body past DATA_UPLOAD_MAX_MEMORY_SIZE
        # is a 400 to Django, and "too large" is what the client must hear. Everything else is left to
        # Django (logging, the signal for error reporters) and reshaped in __call__.
        if is_api(request) and isinstance(exception, RequestDataTooBig):
            security_logger.error(
                str(exception), exc_info=exception, extra={"status_code": 413, "request": request}
            )
            return status_error(request, 413)
        return None
