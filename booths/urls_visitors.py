"""Visitors' pages about booths: the public floor plan, the vendor directory, a vendor's page."""

from django.urls import path

from .views import visitors

urlpatterns = [
    path("sites/<slug:slug>/plan/", visitors.site_plan, name="visitor-plan"),
    path("vendors/", visitors.vendor_directory, name="visitor-vendors"),
    path("vendors/<int:pk>/", visitors.vendor_page, name="visitor-vendor"),
]
