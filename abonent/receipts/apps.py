from django.apps import AppConfig


class ReceiptsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.receipts"
    verbose_name = "Квитанции"

    def ready(self):
        from abonent.billing.signals import period_published

        from .receivers import mail_receipts_on_publish

        period_published.connect(mail_receipts_on_publish, dispatch_uid="receipts.mail_on_publish")
