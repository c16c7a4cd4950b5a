from django.apps import AppConfig


class BotsConfig(AppConfig):
    name = "abonent.bots"
    verbose_name = "Мессенджеры"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from abonent.billing.signals import period_published
        from abonent.outages.signals import outage_published
        from abonent.payments.models import PaymentEvent
        from abonent.support.models import AppealMessage

        from .receivers import answer_on_reply, outage_on_publish, payment_on_credit, receipts_on_publish

        period_published.connect(receipts_on_publish, dispatch_uid="bots.receipts_on_publish")
        post_save.connect(answer_on_reply, sender=AppealMessage, dispatch_uid="bots.answer_on_reply")
        post_save.connect(payment_on_credit, sender=PaymentEvent, dispatch_uid="bots.payment_on_credit")
        outage_published.connect(outage_on_publish, dispatch_uid="bots.outage_on_publish")
