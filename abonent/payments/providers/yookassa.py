"""YooKassa through its official SDK, configured by shop id and secret key (settings PAYMENTS_YOOKASSA_SHOP_ID,
PAYMENTS_YOOKASSA_SECRET_KEY; PAYMENTS_YOOKASSA_API_URL points the SDK elsewhere — the tests' local replay server).

YooKassa does not sign its notifications; it advises checking the sender's address or asking the API. We ask the
API: a notification only names a payment, and its status is whatever GET /payments/{id} says, so a forged
notification can at most make us look up a real payment's real status.

The 54-ФЗ receipt is built with the SDK's own types (Receipt, ReceiptItem, ReceiptCustomer, ReceiptItemSupplier)
and sent with the payment or the refund ("Чеки от ЮKassa" or the shop's connected register); the fiscal data
(ФН, ФД, ФП) is read back from GET /receipts?payment_id=… (or refund_id=…) once the register has it.
"""

import datetime as dt
import json
from decimal import Decimal

from django.conf import settings
from yookassa import Configuration, Payment
from yookassa import Receipt as ReceiptApi
from yookassa import Refund as RefundApi
from yookassa.domain.exceptions import ApiError, NotFoundError
from yookassa.domain.models.amount import Amount
from yookassa.domain.models.receipt import Receipt
from yookassa.domain.models.receipt_data.receipt_customer import ReceiptCustomer
from yookassa.domain.models.receipt_data.receipt_item import ReceiptItem
from yookassa.domain.models.receipt_data.receipt_item_supplier import ReceiptItemSupplier
from yookassa.domain.notification import WebhookNotificationFactory
from yookassa.domain.request.payment_request_builder import PaymentRequestBuilder
from yookassa.domain.request.refund_request import RefundRequest

from .base import (
    CARD,
    DECLINED,
    PENDING,
    SBP,
    SUCCEEDED,
    FiscalData,
    NotificationRejected,
    Outcome,
    PaymentProvider,
    ProviderPayment,
    ProviderRefused,
    ReceiptDraft,
    Started,
)

API_URL = "https://api.yookassa.ru/v3"
# The agent type of a line collected for another supplier (tag 1222): a payment agent, as a management company
# collecting a resource supplier's charges is.
AGENT_TYPE = "payment_agent"


def _configure():
    Configuration.configure(
        settings.PAYMENTS_YOOKASSA_SHOP_ID,
        settings.PAYMENTS_YOOKASSA_SECRET_KEY,
        api_url=getattr(settings, "PAYMENTS_YOOKASSA_API_URL", API_URL),
        timeout=15,
        max_attempts=2,
    )


def _amount(value: Decimal) -> Amount:
    amount = Amount()
    amount.value = f"{value:.2f}"
    amount.currency = "RUB"
    return amount


def receipt_object(draft: ReceiptDraft) -> Receipt:
    """Our receipt draft as the SDK's Receipt: each line a service, paid in full, with its VAT and agent tags."""
    customer = ReceiptCustomer()
    if draft.email:
        customer.email = draft.email
    if draft.phone:
        customer.phone = draft.phone
    items = []
    for line in draft.lines:
        item = ReceiptItem()
        item.description = line.description[:128]
        item.quantity = Decimal("1")
        item.amount = _amount(line.amount)
        item.vat_code = line.vat_code
        item.payment_mode = "full_payment"
        item.payment_subject = "service"
        if line.supplier_name:
            supplier = ReceiptItemSupplier()
            supplier.name = line.supplier_name
            supplier.inn = line.supplier_inn
            if line.supplier_phone:
                supplier.phone = line.supplier_phone
            item.supplier = supplier
            item.agent_type = AGENT_TYPE
        items.append(item)
    receipt = Receipt()
    receipt.customer = customer
    receipt.items = items
    if draft.tax_system_code:
        receipt.tax_system_code = draft.tax_system_code
    return receipt


class YooKassaProvider(PaymentProvider):
    name = "yookassa"

    def start(self, *, order, amount, description, return_url, notify_url, method=CARD, **options) -> Started:
        _configure()
        builder = (
            PaymentRequestBuilder()
            .set_amount(_amount(amount))
            .set_capture(True)
            .set_description(description[:128])
            .set_metadata({"order": order})
        )
        if method == SBP:
            # СБП: the answer's confirmation_data is the НСПК link the QR code holds.
            builder.set_payment_method_data({"type": "sbp"}).set_confirmation({"type": "qr"})
        else:
            builder.set_confirmation({"type": "redirect", "return_url": return_url})
        if options.get("save_method"):
            builder.set_save_payment_method(True)
        receipt = options.get("receipt")
        if receipt is not None and getattr(settings, "PAYMENTS_YOOKASSA_RECEIPTS", True):
            builder.set_receipt(receipt_object(receipt))
        # The idempotency key: a retried start never makes a second payment.
        payment = Payment.create(builder.build(), idempotency_key=order)
        if method == SBP:
            return Started(payment.id, "", sbp_payload=payment.confirmation.confirmation_data)
        return Started(payment.id, payment.confirmation.confirmation_url)

    def fetch_outcome(self, provider_payment_id: str) -> tuple[str, str]:
        return self._outcome(provider_payment_id)[:2]

    def fetch_details(self, provider_payment_id: str) -> tuple[str, str, Decimal]:
        return self._outcome(provider_payment_id)

    def _outcome(self, provider_payment_id: str) -> tuple[str, str, Decimal]:
        _configure()
        payment = Payment.find_one(provider_payment_id)
        status = {"succeeded": SUCCEEDED, "canceled": DECLINED}.get(payment.status, PENDING)
        details = getattr(payment, "cancellation_details", None)
        reason = getattr(details, "reason", "") if status == DECLINED and details else ""
        return status, reason or "", Decimal(str(payment.amount.value))

    def parse_notification(self, body: bytes, headers) -> tuple[str, str, str]:
        try:
            note = WebhookNotificationFactory().create(json.loads(body))
            payment_id = note.object.id
        except Exception as exc:  # the SDK raises bare ValueError/TypeError/KeyError on malformed input
            raise NotificationRejected("unreadable") from exc
        try:
            # The API's amount, not the notification's: the one the shop really got.
            return payment_id, *self._outcome(payment_id)
        except NotFoundError as exc:
            raise NotificationRejected("unknown payment") from exc
        except ApiError as exc:
            raise NotificationRejected("provider unavailable") from exc

    def saved_method(self, provider_payment_id: str) -> str:
        _configure()
        method = Payment.find_one(provider_payment_id).payment_method
        return method.id if method is not None and getattr(method, "saved", False) else ""

    def charge_saved(self, *, order, amount, method_id, description, receipt) -> Outcome:
        _configure()
        builder = (
            PaymentRequestBuilder()
            .set_amount(_amount(amount))
            .set_capture(True)
            .set_payment_method_id(method_id)
            .set_description(description[:128])
            .set_metadata({"order": order})
        )
        if receipt is not None:
            builder.set_receipt(receipt_object(receipt))
        try:
            payment = Payment.create(builder.build(), idempotency_key=order)
        except ApiError as exc:
            # A refusal of the API itself (a revoked method, a network error): a failed attempt, retried later.
            return Outcome("", DECLINED, "internal_timeout" if exc.HTTP_CODE >= 500 else "permission_revoked")
        status = {"succeeded": SUCCEEDED, "canceled": DECLINED}.get(payment.status, PENDING)
        details = getattr(payment, "cancellation_details", None)
        return Outcome(payment.id, status, getattr(details, "reason", "") or "" if details else "")

    def refund(self, *, provider_payment_id, amount, key, receipt, reason) -> str:
        _configure()
        request = RefundRequest()
        request.payment_id = provider_payment_id
        request.amount = _amount(amount)
        request.description = reason[:250]
        if receipt is not None:
            request.receipt = receipt_object(receipt)
        try:
            refund = RefundApi.create(request, idempotency_key=key)
        except ApiError as exc:
            raise ProviderRefused(f"ЮKassa отказала в возврате: {exc}") from exc
        if refund.status == "canceled":
            raise ProviderRefused("ЮKassa отказала в возврате.")
        return refund.id

    def fiscal_data(self, *, provider_payment_id, refund_id="", total, at) -> FiscalData | None:
        _configure()
        query = {"refund_id": refund_id} if refund_id else {"payment_id": provider_payment_id}
        for receipt in ReceiptApi.list(query).items or []:
            if receipt.status == "succeeded" and receipt.fiscal_document_number:
                return FiscalData(
                    fn=receipt.fiscal_storage_number,
                    fd=receipt.fiscal_document_number,
                    fp=receipt.fiscal_attribute,
                    registered_at=_parse_time(receipt.registered_at) or at,
                )
        return None

    def payments_of_day(self, start, end) -> list[ProviderPayment]:
        _configure()
        params = {
            "status": "succeeded",
            "created_at.gte": start.isoformat().replace("+00:00", "Z"),
            "created_at.lt": end.isoformat().replace("+00:00", "Z"),
            "limit": 100,
        }
        found = []
        while True:
            page = Payment.list(params)
            for p in page.items or []:
                refunded = Decimal(str(p.refunded_amount.value)) if p.refunded_amount else Decimal("0")
                found.append(ProviderPayment(p.id, Decimal(str(p.amount.value)), refunded))
            if not page.next_cursor:
                return found
            params = {**params, "cursor": page.next_cursor}


def _parse_time(text):
    if not text:
        return None
    return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
