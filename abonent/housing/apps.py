from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HousingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.housing"
    verbose_name = _("Дома, помещения и лицевые счета")
