from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.orgs"
    verbose_name = _("Организация")

    def ready(self):
        from . import cached  # noqa: F401  (a saved organisation leaves the shared cache at once)
