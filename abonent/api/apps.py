from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.api"
    verbose_name = "API"

    def ready(self):
        # webhooks' events; the schema's bearer scheme; the token cache's invalidation on every save of a token
        from . import receivers, schema, tokens  # noqa: F401
