"""The gate API, outside the language prefix: POST /api/checkin/ is a stable interface."""

from django.urls import path

from .views import gate

urlpatterns = [
    path("checkin/", gate.checkin_api, name="api-checkin"),
    path("gate/", gate.gate_api, name="api-gate"),
]
