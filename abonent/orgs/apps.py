from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.orgs"
    verbose_name = _("Организация")

    def ready(self):
        # Every model the back office shows must say how it reaches its organisation (or that it has none).
        from .admin_scope import check_admin_scoping

        checks.register(check_admin_scoping, checks.Tags.admin)
