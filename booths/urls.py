from django.urls import path

from .views import applications, landing, plans

urlpatterns = [
    path("me/", landing.me, name="me"),
    path("organiser/", landing.organiser_home, name="organiser"),
    # --- booth plans: begin ---
    path("organiser/sites/<slug:slug>/plan/", plans.site_plan, name="plan-site"),
    path("organiser/sites/<slug:slug>/plan/copy/", plans.copy_site_plan, name="plan-copy"),
    path("organiser/sites/<slug:slug>/plan/<str:code>/", plans.hall_plan, name="plan-hall"),
    path("organiser/sites/<slug:slug>/plan/<str:code>/grid/", plans.regenerate_hall, name="plan-regenerate"),
    path("organiser/booths/<int:pk>/edit/", plans.booth_edit, name="plan-booth-edit"),
    # --- booth plans: end ---
    # --- applications and review: begin ---
    path("calls/", applications.calls, name="apply-calls"),
    path("sites/<slug:slug>/apply/", applications.apply, name="apply-site"),
    path("me/applications/<int:pk>/", applications.application_detail, name="apply-application"),
    path("organiser/sites/<slug:slug>/applications/", applications.review, name="review-list"),
    path("organiser/sites/<slug:slug>/applications/bulk/", applications.review_bulk, name="review-bulk"),
    # --- applications and review: end ---
    # --- allocation and offers: begin ---
    # --- allocation and offers: end ---
    # --- passes: begin ---
    # --- passes: end ---
    # --- gate: begin ---
    # --- gate: end ---
    # --- visitors: begin ---
    # --- visitors: end ---
    # --- dashboard: begin ---
    # --- dashboard: end ---
]
