from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.users"
    verbose_name = _("Абоненты и доступ")

    def ready(self):
        from . import (
            backends,  # noqa: F401  (a user saved or deleted leaves the shared cache at once)
            idle_timeout,  # noqa: F401  (the idle clock starts at login)
            login_guard,  # noqa: F401  (failed logins are counted from Django's auth signals)
        )
