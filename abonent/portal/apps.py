from django.apps import AppConfig


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.portal"

    def ready(self):
        from . import signals  # noqa: F401  (a user's or a link's change renews the user's cached pages)
