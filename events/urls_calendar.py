"""Public calendar feeds, at addresses without a language prefix (?lang=en for English text)."""

from django.urls import path

from .views import calendar

urlpatterns = [
    path("province.ics", calendar.province_feed, name="calendar-province"),
    path("exhibitions/<slug:slug>.ics", calendar.exhibition_feed, name="calendar-exhibition"),
    path("sites/<slug:slug>.ics", calendar.site_feed, name="calendar-site"),
    path("counties/<slug:slug>.ics", calendar.county_feed, name="calendar-county"),
]
