from django.apps import AppConfig


class NewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.news"
    verbose_name = "Новости"

    def ready(self):
        from abonent.orgs.services import OPERATOR_MODELS

        OPERATOR_MODELS.setdefault("news", ["news"])
