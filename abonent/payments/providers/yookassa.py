"""YooKassa through its official SDK, configured by shop id and secret key (settings PAYMENTS_YOOKASSA_SHOP_ID,
PAYMENTS_YOOKASSA_SECRET_KEY; PAYMENTS_YOOKASSA_API_URL points the SDK elsewhere — the tests' local replay server).

YooKassa does not sign its notifications; it advises checking the sender's address or asking the API. We ask the
API: a notification only names a payment, and its status is whatever GET /payments/{id} says, so a forged
notification can at most make us look up a real payment's real status.
"""

import json
from decimal import Decimal

from django.conf import settings
from yookassa import Configuration, Payment
from yookassa.domain.exceptions import ApiError, NotFoundError
from yookassa.domain.notification import WebhookNotificationFactory

from .base import DECLINED, PENDING, SUCCEEDED, NotificationRejected, PaymentProvider, Started

API_URL = "https://api.yookassa.ru/v3"


def _configure():
    Configuration.configure(
        settings.PAYMENTS_YOOKASSA_SHOP_ID,
        settings.PAYMENTS_YOOKASSA_SECRET_KEY,
        api_url=getattr(settings, "PAYMENTS_YOOKASSA_API_URL", API_URL),
        timeout=15,
        max_attempts=2,
    )


class YooKassaProvider(PaymentProvider):
    name = "yookassa"

    def start(self, *, order, amount: Decimal, description, return_url, notify_url, payer_email="") -> Started:
        _configure()
        params = {
            "amount": {"value": f"{amount:.2f}", "currency": "RUB"},
            "confirmation": {"type": "redirect", "return_url": return_url},
            "capture": True,
            "description": description[:128],
            "metadata": {"order": order},
        }
        if payer_email and getattr(settings, "PAYMENTS_YOOKASSA_RECEIPTS", True):
            # 54-ФЗ: the shop's online cash receipt (чек) for the payment, sent by YooKassa to the payer.
            params["receipt"] = {
                "customer": {"email": payer_email},
                "items": [
                    {
                        "description": description[:128],
                        "quantity": "1.00",
                        "amount": {"value": f"{amount:.2f}", "currency": "RUB"},
                        "vat_code": getattr(settings, "PAYMENTS_YOOKASSA_VAT_CODE", 1),
                        "payment_mode": "full_payment",
                        "payment_subject": "service",
                    }
                ],
            }
        # The idempotency key: a retried start never makes a second payment.
        payment = Payment.create(params, idempotency_key=order)
        return Started(payment.id, payment.confirmation.confirmation_url)

    def fetch_outcome(self, provider_payment_id: str) -> tuple[str, str]:
        _configure()
        payment = Payment.find_one(provider_payment_id)
        status = {"succeeded": SUCCEEDED, "canceled": DECLINED}.get(payment.status, PENDING)
        details = getattr(payment, "cancellation_details", None)
        reason = getattr(details, "reason", "") if status == DECLINED and details else ""
        return status, reason or ""

    def parse_notification(self, body: bytes, headers) -> tuple[str, str, str]:
        try:
            note = WebhookNotificationFactory().create(json.loads(body))
            payment_id = note.object.id
        except Exception as exc:  # the SDK raises bare ValueError/TypeError/KeyError on malformed input
            raise NotificationRejected("unreadable") from exc
        try:
            return payment_id, *self.fetch_outcome(payment_id)
        except NotFoundError as exc:
            raise NotificationRejected("unknown payment") from exc
        except ApiError as exc:
            raise NotificationRejected("provider unavailable") from exc
