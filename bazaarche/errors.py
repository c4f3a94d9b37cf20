"""The error pages (400, 403, 404, 500, and a form refused by the CSRF check) in the site's layout.

Each says in the page's language what happened and offers a way back. Under /api/,
ApiErrorMiddleware answers JSON in their stead. The 500 page renders without the request: what
broke the page may break the context processors too (the session, the database). A database that
cannot be reached is no 500 but a 503 (bazaarche/outage.py).
"""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.csrf import requires_csrf_token

from bazaarche.outage import is_database_error, outage_response

logger = logging.getLogger(__name__)
# When even the 500 template fails: both languages, nothing that could fail again.
PLAIN_500 = (
    '<!doctype html><html lang="fa" dir="rtl"><meta charset="utf-8"><title>خطا · Error</title>'
    "<p>مشکلی در کار سایت پیش آمد. چند دقیقه دیگر دوباره امتحان کنید.</p>"
    '<p lang="en" dir="ltr">Something went wrong on our side. Try again in a few minutes.</p></html>'
)


def back_url(request: HttpRequest, *, same_page: bool = False) -> str:
    """The page the visitor came from, if it was on this site (and, unless `same_page`, is not
    the page that failed)."""
    referer = request.headers.get("Referer", "")
    try:
        host = request.get_host()
    except DisallowedHost:  # the very reason for a 400, perhaps
        return ""
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()):
        return ""
    return "" if referer == request.build_absolute_uri() and not same_page else referer


def _error_page(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    return render(request, template, {"back_url": back_url(request), **context}, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    user = getattr(request, "user", None)
    signin_url = ""
    if user is not None and not user.is_authenticated:
        signin_url = f"{reverse('signin')}?{urlencode({'next': request.get_full_path()})}"
    return _error_page(request, "403.html", 403, signin_url=signin_url)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, "404.html", 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page left open too long, or without its cookie.

    The way back is the form's own page, opened afresh (with a new token)."""
    return _error_page(request, "403_csrf.html", 403, form_url=back_url(request, same_page=True))


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page from the template alone; if even that fails, two plain sentences.

    Django calls this while it handles the exception, for one raised in any middleware too (which no
    other middleware sees): a database that cannot be reached gets the outage's 503 instead."""
    if is_database_error(sys.exc_info()[1]):
        return outage_response(request)
    try:
        content = loader.get_template("500.html").render()
    except Exception:  # the page that reports an error must not raise one
        logger.exception("The 500 page could not be rendered")
        content = PLAIN_500
    return HttpResponse(content, status=500)
