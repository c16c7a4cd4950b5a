"""Refunds of online payments (card, СБП) by an operator, in part or in full, with a reason.

The payment's row is locked first, so two operators refunding at once queue: the second sees the first one's
refund and is refused if together they would exceed the payment. Then the provider's refund API (its refund
receipt sent with it), a negative payment entry in the open period through billing's ledger (the published months
stay as they were), and the fiscal refund receipt (возврат прихода) e-mailed to the payer.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from abonent.billing import ledger
from abonent.lib.numbers import money

from . import fiscal, providers
from .models import FiscalReceipt, Payment, PaymentEvent, Refund
from .services import ONLINE, PaymentError


def refunded(payment: Payment) -> Decimal:
    return Refund.objects.filter(payment=payment).aggregate(total=Sum("amount"))["total"] or Decimal("0")


def refundable(payment: Payment) -> Decimal:
    """What can still be returned: the payment less its earlier refunds."""
    return payment.amount - refunded(payment)


def _refuse(payment: Payment, amount: Decimal, reason: str) -> None:
    if not reason.strip():
        raise PaymentError("Укажите причину возврата.")
    if amount <= 0:
        raise PaymentError("Сумма возврата должна быть больше нуля.")
    if payment.channel not in ONLINE or not payment.provider:
        raise PaymentError("Вернуть через платёжный сервис можно только платёж картой или по СБП.")
    if payment.status != Payment.Status.CREDITED:
        raise PaymentError("Вернуть можно только зачисленный платёж.")
    rest = refundable(payment)
    if amount > rest:
        raise PaymentError(
            f"Сумма возврата {money(amount)} больше, чем можно вернуть по этому платежу: {money(rest)} "
            f"(платёж {money(payment.amount)}, уже возвращено {money(payment.amount - rest)})."
        )


def refund_create(*, payment: Payment, amount: Decimal, reason: str, actor) -> Refund:
    """Refund `amount` of a credited card or СБП payment. Refused in Russian, nothing changed, when the amount is
    above what is left of the payment, the reason is empty, or the provider says no."""
    with transaction.atomic():
        locked = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("account__organisation", "organisation", "user")
            .get(pk=payment.pk)
        )
        _refuse(locked, amount, reason)
        refund = Refund.objects.create(payment=locked, amount=amount, reason=reason.strip()[:300], created_by=actor)
        draft = fiscal.refund_draft(locked, amount)
        try:
            refund_id = providers.get_provider(locked.provider).refund(
                provider_payment_id=locked.provider_payment_id,
                amount=amount,
                key=f"refund-{refund.pk}",
                receipt=draft,
                reason=reason,
            )
        except (providers.ProviderRefused, providers.ProviderDisabled) as exc:
            raise PaymentError(str(exc) or "Платёжный сервис отказал в возврате.") from exc
        Refund.objects.filter(pk=refund.pk).update(provider_refund_id=refund_id[:64])
        refund.provider_refund_id = refund_id[:64]
        # The reversal through the ledger's own API: a negative payment entry in the open period, one per refund.
        ledger.ledger_reverse_payment(
            account=locked.account,
            amount=amount,
            source=locked.ledger_source,
            external_id=f"{locked.external_id}:refund:{refund.pk}",
        )
        PaymentEvent.objects.create(
            payment=locked, status=locked.status, actor=actor, details=f"возврат {money(amount)}: {reason.strip()}"
        )
        receipt = fiscal.receipt_create(payment=locked, draft=draft, refund=refund)
        transaction.on_commit(lambda: fiscal.receipt_register(receipt, refund_id=refund_id), robust=True)
    return refund


def refund_receipts(payment: Payment):
    return FiscalReceipt.objects.filter(payment=payment, kind=FiscalReceipt.Kind.REFUND)
