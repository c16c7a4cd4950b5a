from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeteringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.metering"
    verbose_name = _("Приборы учёта и показания")

    def ready(self):
        from . import tally  # noqa: F401  (connects the meters' counters to the saves)
