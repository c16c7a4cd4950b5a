from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.exchange"
    verbose_name = _("Обмен с биллингом и банками")

    def ready(self):
        # Operators upload their billing's month and see the files received: their group gets these.
        from abonent.orgs.services import OPERATOR_MODELS

        OPERATOR_MODELS.setdefault("exchange", ["exchangefile", "billingmapping"])

        from abonent.billing.signals import period_published

        from .tasks import registry_on_publish

        period_published.connect(registry_on_publish, dispatch_uid="exchange.debt_registry_on_publish")
