"""A database that cannot be reached answers 503 with Retry-After, never a 500.

PostgreSQL restarting, failing over or refusing connections for a few seconds is no fault of the
page: the visitor hears "a moment, then try again" in the page's language, and a form they sent is
not lost (the browser keeps what they typed on the page before, and the 503 page says to go back
and send it again). The page is rendered from its template alone, without the request's context
processors, which would ask the database for the user and their roles once more.

A database error reaches here by one of two ways. Raised in a view, or while its template renders,
it comes to DatabaseOutageMiddleware.process_exception. Raised in a middleware (the session read
by AuthenticationMiddleware's user or saved by SessionMiddleware after the view), Django turns it
into a response at that middleware's own layer, so no other middleware ever sees the exception;
Django's 500 handler does, and bazaarche/errors.py answers outage_response() from there. With
DEBUG on, Django's own error page with its traceback is shown instead (a missing table on SQLite
is an OperationalError too, and a developer needs to see it).

PublicPageCacheMiddleware (events/public_cache.py) answers a visitor's page from its last good
copy when the answer here is_outage().
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.csp import CSP, build_policy
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext_lazy as _

from bazaarche.api_errors import api_error, is_api

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER = 5  # seconds: about what a PostgreSQL restart or a failover takes
BUSY = _("The site is busy for a moment. Try again in a few seconds.")
# When even the template fails: both languages, nothing that could fail again.
PLAIN_503 = (
    '<!doctype html><html lang="fa" dir="rtl"><meta charset="utf-8"><title>لطفاً چند لحظه صبر کنید</title>'
    "<p>سایت چند لحظه‌ای مشغول است. چند ثانیهٔ دیگر دوباره امتحان کنید.</p>"
    '<p lang="en" dir="ltr">The site is busy for a moment. Try again in a few seconds.</p></html>'
)


def is_database_error(exception: BaseException | None) -> bool:
    """The database cannot be reached (or dropped the connection): worth a retry, not a bug report."""
    return isinstance(exception, DATABASE_ERRORS)


def is_outage(response: HttpResponse) -> bool:
    """This answer is outage_response()'s: the database was away."""
    return getattr(response, "database_outage", False)


def outage_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON in the API's shape under /api/, else the page in its language."""
    if is_api(request):
        with translation.override(translation.get_language_from_request(request)):
            response = api_error(503, "unavailable", BUSY)
    else:
        with translation.override(get_language_from_path(request.path_info) or settings.LANGUAGE_CODE):
            response = HttpResponse(_page(request), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    add_never_cache_headers(response)
    # The middleware that add these sit inside SessionMiddleware and are skipped when it fails.
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    response[CSP.HEADER_ENFORCE] = build_policy(settings.SECURE_CSP)
    response.database_outage = True
    return response


def _page(request: HttpRequest) -> str:
    sent = request.method not in ("GET", "HEAD")
    context = {"form_sent": sent, "again_url": "" if sent else request.get_full_path()}
    try:
        return loader.get_template("503.html").render(context)
    except Exception:  # the page that says "try again" must not fail itself
        logger.exception("The 503 page could not be rendered")
        return PLAIN_503


class DatabaseOutageMiddleware(MiddlewareMixin):
    """A view that finds the database away answers outage_response(); see the module's docstring.

    Sits outside SessionMiddleware and AuthenticationMiddleware, inside the security headers and
    PublicPageCacheMiddleware (which may answer a stale copy instead). Errors those inner
    middleware raise come by way of the 500 handler, wherever this sits.
    """

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG or not is_database_error(exception):
            return None
        # One line, not a traceback for each of the thousands of requests an outage meets.
        logger.warning(
            "Database unavailable, answered 503: %s %s (%s)", request.method, request.path, exception
        )
        return outage_response(request)
