"""The site's URLs plus a page whose view needs no database but whose session is saved after it, so
that the database fails inside SessionMiddleware rather than in the view."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.urls import path

from bazaarche.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def remember(request):
    request.session["seen"] = True  # a new session: written by SessionMiddleware on the way out
    return HttpResponse("noted")


urlpatterns = [
    *i18n_patterns(path("remember/", remember), prefix_default_language=False),
    *urlpatterns,
]
