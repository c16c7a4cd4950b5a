from django.apps import AppConfig


class SupportConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.support"
    verbose_name = "Обращения и платные услуги"

    def ready(self):
        # Operators answer appeals and requests and keep the catalogue: their group gets these models too.
        from abonent.orgs.services import OPERATOR_MODELS

        OPERATOR_MODELS.setdefault(
            "support", ["appeal", "appealtemplate", "paidservice", "paidservicerequest", "attachment", "typoreport"]
        )
