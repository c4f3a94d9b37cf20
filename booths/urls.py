from django.urls import path

from .views import applications, landing, plans  # noqa: F401 (modules filled in by their areas)

urlpatterns = [
    path("me/", landing.me, name="me"),
    path("organiser/", landing.organiser_home, name="organiser"),
    # --- booth plans: begin ---
    # --- booth plans: end ---
    # --- applications and review: begin ---
    # --- applications and review: end ---
]
