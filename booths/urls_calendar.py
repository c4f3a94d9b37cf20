"""Private calendar feeds at secret addresses, and the forms that replace the secrets."""

from django.urls import path

from .views import calendar

urlpatterns = [
    path("vendor/<str:token>.ics", calendar.vendor_feed, name="calendar-vendor"),
    path("organiser/<str:token>.ics", calendar.organiser_feed, name="calendar-organiser-feed"),
    path("secret/vendor/<int:pk>/", calendar.vendor_secret, name="calendar-vendor-secret"),
    path("secret/organiser/", calendar.organiser_secret, name="calendar-organiser-secret"),
]
