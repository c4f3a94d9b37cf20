from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoothsConfig(AppConfig):
    name = "booths"
    verbose_name = _("Booths, applications and passes")

    def ready(self):
        from . import public, signals

        signals.connect()
        public.register()
