"""Root URLs. Pages live under i18n patterns: Persian at /, English at /en/."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # --- gate api: begin ---
    # --- gate api: end ---
    # --- calendar feeds: begin ---
    # --- calendar feeds: end ---
]
urlpatterns += i18n_patterns(
    path("", include("events.urls")),
    path("", include("vendors.urls")),
    path("", include("booths.urls")),
    prefix_default_language=False,
)
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
