from django.apps import AppConfig


class ReceiptsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.receipts"
    verbose_name = "Квитанции"

    def ready(self):
        from abonent.billing.signals import period_published, period_publishing

        from .receivers import issue_receipts_on_publish, mail_receipts_on_publish

        period_publishing.connect(issue_receipts_on_publish, dispatch_uid="receipts.issue_on_publish")
        period_published.connect(mail_receipts_on_publish, dispatch_uid="receipts.mail_on_publish")
