"""Root URLs. Pages live under i18n patterns: Persian at /, English at /en/; the API and feeds at fixed addresses."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from booths import urls as booths_urls
from events import urls as events_urls
from vendors.views import signin

urlpatterns = [
    # Before the admin's own login: admins sign in on the password page, with its limits.
    path("admin/login/", signin.admin_signin, name="admin-signin"),
    path("admin/", admin.site.urls),
    path("", include(events_urls.unprefixed)),
    path("", include(booths_urls.unprefixed)),
]
urlpatterns += i18n_patterns(
    path("", include("events.urls")),
    path("", include("vendors.urls")),
    path("", include("booths.urls")),
    prefix_default_language=False,
)
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
