"""Pages about calendar feeds (under the language prefix): every public feed, an organiser's own."""

from django.urls import path

from .views import calendar

urlpatterns = [
    path("calendars/", calendar.subscribe, name="calendars"),
    path("organiser/calendar/", calendar.organiser_page, name="calendar-organiser"),
]
