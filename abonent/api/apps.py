from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.api"
    verbose_name = "API"

    def ready(self):
        from . import receivers, schema  # noqa: F401  (webhooks' events; the schema's bearer scheme)
