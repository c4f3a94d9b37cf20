"""Root URLs. Pages live under i18n patterns: Persian at /, English at /en/; the API and feeds at fixed addresses."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from bazaarche import health
from booths import urls as booths_urls
from events import urls as events_urls
from vendors.views import signin

urlpatterns = [
    # Before the admin's own login: admins sign in on the password page, with its limits.
    path("admin/login/", signin.admin_signin, name="admin-signin"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),  # for the proxy and monitoring (docs/deploy.md)
    path("", include(events_urls.unprefixed)),
    path("", include(booths_urls.unprefixed)),
]
urlpatterns += i18n_patterns(
    path("", include("events.urls")),
    path("", include("vendors.urls")),
    path("", include("booths.urls")),
    prefix_default_language=False,
)
# Error pages in the site's layout and language; under /api/ ApiErrorMiddleware answers JSON instead.
handler400 = "bazaarche.errors.bad_request"
handler403 = "bazaarche.errors.permission_denied"
handler404 = "bazaarche.errors.page_not_found"
handler500 = "bazaarche.errors.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
