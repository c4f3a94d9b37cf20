"""The site's URLs plus pages that fail on purpose, for the error page tests."""

from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from bazaarche.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def bad_request(request):
    raise SuspiciousOperation("a malformed request")


def forbidden(request):
    raise PermissionDenied


def crash(request):
    raise RuntimeError("a bug")


urlpatterns = [
    *i18n_patterns(
        path("failing/400/", bad_request),
        path("failing/403/", forbidden),
        path("failing/500/", crash),
        prefix_default_language=False,
    ),
    *urlpatterns,
]
