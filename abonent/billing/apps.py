from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.billing"
    verbose_name = _("Услуги, тарифы и расчёты")

    def ready(self):
        from abonent.lib import page_cache
        from abonent.metering.prices import register_price_source

        from . import figures, locked, receivers  # noqa: F401  (register edits renew the cached figures)
        from .models import register_lock_guard
        from .selectors import service_prices

        # Whole pages cached per user are stale when their accounts' figures are: billing knows when.
        page_cache.register_source(
            page_cache.Source(figures.page_key, figures.page_versions, figures.timeout, figures.page_day)
        )
        register_price_source(service_prices)  # the readings page shows the tariff of each meter's service
        register_lock_guard(locked.refuse)  # tariffs, norms and services a published period used stay as they were
