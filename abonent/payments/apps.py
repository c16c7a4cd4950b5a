from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.payments"
    verbose_name = _("Платежи")

    def ready(self):
        # Operators keep payments, registries, unmatched lines and the other ways to pay: their group gets these.
        from abonent.orgs.services import OPERATOR_MODELS

        OPERATOR_MODELS.setdefault(
            "payments",
            [
                "payment",
                "registry",
                "unmatchedline",
                "paypoint",
                # 54-ФЗ settings of the organisation and its services; receipts, refunds and auto-pay to look at
                "fiscalsettings",
                "servicefiscal",
                "fiscalreceipt",
                "refund",
                "autopay",
                "autopaycharge",
            ],
        )

        from abonent.billing.signals import period_published

        from .receivers import mail_payment_due_on_publish

        period_published.connect(mail_payment_due_on_publish, dispatch_uid="payments.mail_due_on_publish")

        # Linking an account by its last payment (users) reads the payments from here.
        from abonent.users.selectors import register_last_payment_reader

        from .selectors import account_last_payment

        register_last_payment_reader(account_last_payment)
