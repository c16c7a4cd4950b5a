from django.apps import AppConfig


class ReceiptsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.receipts"
    verbose_name = "Квитанции"

    def ready(self):
        from abonent.billing.signals import period_publish_repeated, period_published, period_publishing

        from .receivers import issue_documents_on_published, issue_receipts_on_publish, mail_receipts_on_publish

        period_publishing.connect(issue_receipts_on_publish, dispatch_uid="receipts.issue_on_publish")
        # The documents first (receivers run in the order connected), then the mailing that reads them.
        period_published.connect(issue_documents_on_published, dispatch_uid="receipts.documents_on_published")
        period_published.connect(mail_receipts_on_publish, dispatch_uid="receipts.mail_on_publish")
        period_publish_repeated.connect(issue_documents_on_published, dispatch_uid="receipts.documents_on_rerun")
