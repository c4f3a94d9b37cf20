"""Booths' URLs: `urlpatterns` under the language prefix, `unprefixed` at fixed addresses (the API, feeds)."""

from django.urls import path

from .views import allocation as allocation_views
from .views import applications, calendar, dashboard, gate, landing, plans, visitors
from .views import offers as offer_views
from .views import passes as pass_views

urlpatterns = [
    path("me/", landing.me, name="me"),
    path("organiser/", landing.organiser_home, name="organiser"),
    path("organiser/sites/<slug:slug>/plan/", plans.site_plan, name="plan-site"),
    path("organiser/sites/<slug:slug>/zones/", plans.site_zones, name="plan-zones"),
    path("organiser/sites/<slug:slug>/plan/copy/", plans.copy_site_plan, name="plan-copy"),
    path("organiser/sites/<slug:slug>/plan/<str:code>/", plans.hall_plan, name="plan-hall"),
    path("organiser/sites/<slug:slug>/plan/<str:code>/grid/", plans.regenerate_hall, name="plan-regenerate"),
    path("organiser/booths/<int:pk>/edit/", plans.booth_edit, name="plan-booth-edit"),
    path("calls/", applications.calls, name="apply-calls"),
    path("sites/<slug:slug>/apply/", applications.apply, name="apply-site"),
    path("me/applications/<int:pk>/", applications.application_detail, name="apply-application"),
    path("organiser/sites/<slug:slug>/applications/", applications.review, name="review-list"),
    path("organiser/sites/<slug:slug>/applications/bulk/", applications.review_bulk, name="review-bulk"),
    path("organiser/sites/<slug:slug>/allocation/", allocation_views.allocation_page, name="allocation-site"),
    path(
        "organiser/sites/<slug:slug>/allocation/run/", allocation_views.allocation_run, name="allocation-run"
    ),
    path(
        "organiser/sites/<slug:slug>/allocation/progress/",
        allocation_views.allocation_progress,
        name="allocation-progress",
    ),
    path(
        "organiser/sites/<slug:slug>/allocation/publish/",
        allocation_views.allocation_publish,
        name="allocation-publish",
    ),
    path(
        "organiser/sites/<slug:slug>/allocation/edit/",
        allocation_views.allocation_edit,
        name="allocation-edit",
    ),
    path("sites/<slug:slug>/lottery/", allocation_views.lottery_page, name="allocation-lottery"),
    path(
        "sites/<slug:slug>/lottery/instance.json",
        allocation_views.lottery_instance,
        name="allocation-instance",
    ),
    path("me/offers/<int:pk>/confirm/", offer_views.offer_confirm, name="offer-confirm"),
    path("me/offers/<int:pk>/decline/", offer_views.offer_decline, name="offer-decline"),
    path("organiser/sites/<slug:slug>/passes/", pass_views.site_passes, name="passes-site"),
    path(
        "organiser/sites/<slug:slug>/passes/<int:pk>/reissue/", pass_views.reissue_pass, name="passes-reissue"
    ),
    path("organiser/sites/<slug:slug>/passes/print/", pass_views.print_passes, name="passes-print"),
    path("organiser/sites/<slug:slug>/passes/print/pdf/", pass_views.print_download, name="passes-pdf"),
    path("me/passes/<int:pk>/", pass_views.pass_page, name="pass"),
    path("me/passes/<int:pk>/pass.png", pass_views.pass_png, name="pass-png"),
    path("me/passes/<int:pk>/name/", pass_views.pass_name, name="pass-name"),
    path("gate/", gate.gate_page, name="gate"),
    path("organiser/sites/<slug:slug>/gate/", gate.gate_tokens, name="gate-tokens"),
    path(
        "organiser/sites/<slug:slug>/gate/<int:pk>/revoke/", gate.gate_token_revoke, name="gate-token-revoke"
    ),
    path("sites/<slug:slug>/plan/", visitors.site_plan, name="visitor-plan"),
    path("vendors/", visitors.vendor_directory, name="visitor-vendors"),
    path("vendors/<int:pk>/", visitors.vendor_page, name="visitor-vendor"),
    path("organiser/dashboard/", dashboard.dashboard, name="dashboard"),
    path("organiser/dashboard/<slug:kind>.<str:fmt>", dashboard.dashboard_export, name="dashboard-export"),
]

# Outside the language prefix: the gate API is a stable interface; private feeds at secret addresses.
unprefixed = [
    path("api/checkin/", gate.checkin_api, name="api-checkin"),
    path("api/gate/", gate.gate_api, name="api-gate"),
    path("api/gate/portraits/<int:pk>/", gate.portrait, name="api-gate-portrait"),
    path("calendar/vendor/<str:token>.ics", calendar.vendor_feed, name="calendar-vendor"),
    path("calendar/organiser/<str:token>.ics", calendar.organiser_feed, name="calendar-organiser-feed"),
    path("calendar/secret/vendor/<int:pk>/", calendar.vendor_secret, name="calendar-vendor-secret"),
    path("calendar/secret/organiser/", calendar.organiser_secret, name="calendar-organiser-secret"),
]
