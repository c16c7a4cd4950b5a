"""Reads of the payments app."""

import datetime as dt
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from abonent.billing import statements as billing_statements
from abonent.billing.models import AccountBalance, LedgerEntry
from abonent.housing.models import PersonalAccount

from . import access
from .models import FiscalReceipt, Payment, PayPoint, Refund


def amount_due(closing: Decimal | None) -> Decimal:
    """What to suggest paying: the debt; nothing when the account is paid up or in advance."""
    return max(closing or Decimal("0"), Decimal("0"))


def debts(account_ids) -> dict[int, Decimal]:
    """Each account's debt now: the latest balance's closing, less payments posted to later periods that have no
    balance row yet (a payment made this month, before this month is calculated). Two queries."""
    latest = AccountBalance.objects.filter(account=OuterRef("pk")).order_by("-period__month")
    rows = PersonalAccount.objects.filter(pk__in=account_ids).annotate(
        closing=Subquery(latest.values("closing")[:1]), month=Subquery(latest.values("period__month")[:1])
    )
    result = {}
    months = {}
    for account_id, closing, month in rows.values_list("pk", "closing", "month"):
        result[account_id] = closing or Decimal("0")
        months[account_id] = month
    later = LedgerEntry.objects.filter(account_id__in=account_ids, kind=LedgerEntry.Kind.PAYMENT).values_list(
        "account_id", "period__month", "amount"
    )
    if months and all(months.values()):
        later = later.filter(period__month__gt=min(months.values()))
    for account_id, month, amount in later:
        if months.get(account_id) is None or month > months[account_id]:
            result[account_id] -= amount
    return result


def service_choices(account_ids) -> dict[int, list]:
    """The services an account owes for, to pay one of them alone (ПП РФ №354 п.118): its debt by service."""
    debts = billing_statements.service_debts(account_ids)
    return {a: [d for d in rows if d.service_id is not None and d.debt > 0] for a, rows in debts.items()}


def payable_links(user):
    """The user's open linked accounts, each with `closing`: its debt now."""
    links = list(
        access.payable_links(user)
        .select_related("account__organisation", "account__premises__building")
        .order_by("account__number")
    )
    owed = debts([link.account_id for link in links])
    for link in links:
        link.closing = owed.get(link.account_id, Decimal("0"))
    return links


def pay_points(org_ids) -> list[PayPoint]:
    return list(PayPoint.objects.filter(organisation_id__in=org_ids).select_related("organisation"))


def recent_payments(user, limit: int = 20) -> list[Payment]:
    return list(access.own_payments(user).select_related("account")[:limit])


def card_payments(user):
    """The user's own card payments (payments.access), newest first, for "Мои платежи"."""
    return (
        access.own_payments(user)
        .filter(channel__in=[Payment.Channel.CARD, Payment.Channel.SBP])
        .select_related("account__organisation")
        .order_by("-created_at", "-id")
    )


def account_last_payment(account: PersonalAccount) -> tuple[dt.date, Decimal] | None:
    """Date and amount of the account's last credited payment, the proof seed 004 asks for when linking an account.

    The date is the payment's own date (`paid_on`, already the organisation's local day). Payments being
    processed, declined or cancelled are not payments the subscriber can read off a bank statement, so they
    don't count; of two on one day the one credited later is the last.
    """
    row = (
        Payment.objects.filter(account=account, status=Payment.Status.CREDITED)
        .order_by("-paid_on", "-credited_at", "-id")
        .values_list("paid_on", "amount")
        .first()
    )
    return (row[0], row[1]) if row else None


def attach_receipts(payments: list[Payment]) -> None:
    """Each payment's `receipts` (its fiscal receipts: income and refunds) and `refunded`: two queries."""
    orders = {p.order for p in payments}
    by_order: dict = {}
    for r in FiscalReceipt.objects.filter(order__in=orders).order_by("created_at", "id"):
        by_order.setdefault(r.order, []).append(r)
    refunds: dict[int, Decimal] = {}
    for payment_id, amount in Refund.objects.filter(payment__in=payments).values_list("payment_id", "amount"):
        refunds[payment_id] = refunds.get(payment_id, Decimal("0")) + amount
    for p in payments:
        p.receipts = [r for r in by_order.get(p.order, []) if r.kind == "income" or r.payment_id == p.pk]
        p.refunded = refunds.get(p.pk, Decimal("0"))
