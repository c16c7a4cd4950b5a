from django.apps import AppConfig


class BotsConfig(AppConfig):
    name = "abonent.bots"
    verbose_name = "Мессенджеры"
    default_auto_field = "django.db.models.BigAutoField"
