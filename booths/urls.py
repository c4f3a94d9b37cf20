from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.me, name="me"),
    path("organiser/", views.organiser_home, name="organiser"),
]
