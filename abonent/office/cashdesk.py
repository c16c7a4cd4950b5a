"""The office's cash desk: find the account at the counter, take cash or a card through the terminal, print the
slip, cancel a mistaken payment the same day.

The money goes through the payments app's own cash-desk service (payments.services.payment_cash_create, the one
the admin's cash desk calls): credited at once, posted to the ledger and spread over services by the allocation
rule (billing/allocation.py) — the service or the month the payer named, if any. The fiscal receipt of a payment
at the counter (54-ФЗ) is printed by the counter's own cash register; the slip here is the organisation's
acknowledgement with what the payment paid, service by service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from abonent.billing.models import Allocation, Service
from abonent.housing.models import PersonalAccount
from abonent.lib.numbers import money
from abonent.payments.models import Payment
from abonent.payments.services import DESK, PaymentError, payment_cancel, payment_cash_create

from .models import OfficeAction
from .services import log

FOUND = 20  # accounts shown for a search: enough for a house's entrance, few enough to pick from


def search(organisation, text: str):
    """Accounts of the organisation by number (its start) or by address («Ленина 5» finds the house's flats; a
    flat number after «кв» narrows it)."""
    text = " ".join((text or "").split())[:100]
    if not text:
        return PersonalAccount.objects.none()
    accounts = PersonalAccount.objects.filter(organisation=organisation).select_related("premises__building")
    address, _, flat = text.replace("кв.", "кв").partition(" кв")
    by_address = Q(premises__building__address__icontains=address.strip(" ,"))
    if flat.strip():
        by_address &= Q(premises__number=flat.strip(" .,"))
    found = accounts.filter(Q(number__startswith=text) | by_address)
    return found.order_by("premises__building__address", "premises__number", "number")[:FOUND]


@dataclass(frozen=True)
class Taken:
    account: PersonalAccount
    amount: Decimal
    channel: str
    service: Service | None = None
    named_period: dt.date | None = None
    payer_name: str = ""


def take(*, organisation, operator, taken: Taken, token: str) -> Payment:
    """Credit the payment (once per desk form: `token`) and log it on the account."""
    if taken.account.organisation_id != organisation.pk:
        raise PaymentError("Лицевой счёт другой организации.")
    with transaction.atomic():
        payment = payment_cash_create(
            account=taken.account, amount=taken.amount, paid_on=organisation.today(), actor=operator,
            payer_name=taken.payer_name, channel=taken.channel, service_id=taken.service.pk if taken.service else None,
            named_period=taken.named_period, key=token,
        )  # fmt: skip
        # The second click of a pair gets the first one's payment back, after that one committed with its line
        details = f"Платёж № {payment.pk}: {money(payment.amount)}, {payment.get_channel_display()}"
        if not OfficeAction.objects.filter(kind=OfficeAction.Kind.CASH_TAKEN, details=details).exists():
            log(organisation=organisation, actor=operator, kind=OfficeAction.Kind.CASH_TAKEN, account=taken.account,
                details=details)  # fmt: skip
    return payment


def cancellable(payment: Payment, organisation) -> str | None:
    """Why the desk may not cancel this payment, or None: only a credited desk payment taken today (a later
    correction is the accountant's recalculation, not the counter's)."""
    if payment.channel not in DESK:
        return "В кассе отменяют только платежи, принятые в кассе."
    if payment.status != Payment.Status.CREDITED:
        return "Платёж уже не зачислен: отменять нечего."
    if timezone.localtime(payment.created_at, organisation.tz).date() != organisation.today():
        return "Отменить в кассе можно только платёж, принятый сегодня."
    return None


def cancel(*, organisation, operator, payment: Payment, reason: str) -> Payment:
    """The payments app's cancellation (a reversing ledger entry, the payment's event) with the reason, logged."""
    refusal = cancellable(payment, organisation)
    if refusal:
        raise PaymentError(refusal)
    with transaction.atomic():
        cancelled = payment_cancel(payment=payment, reason=reason.strip(), actor=operator)
        log(organisation=organisation, actor=operator, kind=OfficeAction.Kind.CASH_CANCELLED, account=payment.account,
            details=f"Платёж № {payment.pk}: {money(payment.amount)}. Причина: {reason.strip()}")  # fmt: skip
    return cancelled


def today_payments(organisation):
    today = organisation.today()
    return (
        Payment.objects.filter(organisation=organisation, channel__in=DESK, paid_on=today)
        .select_related("account", "created_by")
        .order_by("-created_at", "-id")
    )


def allocation_of(payment: Payment) -> list[tuple[str, Decimal]]:
    """What the payment paid, by service, as the ledger allocated it (the entry of the payment itself)."""
    rows = (
        Allocation.objects.filter(
            entry__idempotency_key=f"payment:{payment.ledger_source}:{payment.external_id}", amount__gt=0
        )
        .select_related("service")
        .order_by("service__sort_order", "service__name")
    )
    return [(row.service.name if row.service else "Аванс (не распределён по услугам)", row.amount) for row in rows]
