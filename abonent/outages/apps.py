from django.apps import AppConfig


class OutagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.outages"
    verbose_name = "Отключения и ремонтные работы"

    def ready(self):
        from abonent.orgs.services import OPERATOR_MODELS

        OPERATOR_MODELS.setdefault("outages", ["outage"])
        from . import receivers  # noqa: F401
