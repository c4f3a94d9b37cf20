"""Gate pages (under the language prefix): the scanning page and organisers' gate keys."""

from django.urls import path

from .views import gate

urlpatterns = [
    path("gate/", gate.gate_page, name="gate"),
    path("organiser/sites/<slug:slug>/gate/", gate.gate_tokens, name="gate-tokens"),
    path(
        "organiser/sites/<slug:slug>/gate/<int:pk>/revoke/", gate.gate_token_revoke, name="gate-token-revoke"
    ),
]
