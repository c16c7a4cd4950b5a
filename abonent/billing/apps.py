from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.billing"
    verbose_name = _("Услуги, тарифы и расчёты")

    def ready(self):
        from abonent.metering.prices import register_price_source

        from . import receivers  # noqa: F401  (register edits renew the cached figures)
        from .selectors import service_prices

        register_price_source(service_prices)  # the readings page shows the tariff of each meter's service
