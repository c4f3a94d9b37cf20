from django.apps import AppConfig


class BazaarcheConfig(AppConfig):
    """Makes the project package an app so its templatetags, commands and checks load."""

    name = "bazaarche"
    verbose_name = "Bazaarche"
