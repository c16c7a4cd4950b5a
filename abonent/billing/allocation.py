"""How a payment is spread over the services of the document it pays (ПП РФ №354 п.118–119).

The rule, with a worked example, is in docs/BILLING.md («Распределение оплаты»):

1. A payment that names a service goes wholly to that service (what is over its debt is its advance).
2. Otherwise the debt is paid oldest first: first what is older than the last document (its «долг прошлых
   месяцев»), then the document's own charges; within each tier in proportion to each service's part
   (п.118: «пропорционально размеру платы за каждый вид услуги, указанному в платёжном документе»).
   A payment naming the document's month pays that month's charges before the older debt (п.119).
3. What remains is an advance, spread in proportion to the document's charges (none — not assigned to a service).

`split` is the arithmetic; `allocate` the rule on the figures; `debt_of` reads the figures of one account;
`allocation_write` and `allocate_pending` store the result (Allocation), once per payment entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from .models import Allocation, BillingPeriod, LedgerEntry, ServiceBalance

ZERO = Decimal("0")
KOPECK = Decimal("0.01")

Key = int | None  # a service id; None — not assigned to a service


def _order(item: tuple[Key, Decimal]) -> tuple:
    # The largest weight first, then the lowest service (None before any): the same order as the SQL close's
    # «ORDER BY w DESC, service_id NULLS FIRST», so both engines put the rounding remainder on the same row.
    key, weight = item
    return (-weight, -1 if key is None else key)


def split(total: Decimal, weights: dict[Key, Decimal]) -> dict[Key, Decimal]:
    """`total` in proportion to the positive weights, each part rounded to kopecks half up, the rounding remainder
    on the largest weight, so that the parts sum to `total` exactly. No positive weight — {} ."""
    positive = sorted(((k, w) for k, w in weights.items() if w > 0), key=_order)
    if not positive:
        return {}
    whole = sum(w for _, w in positive)
    parts = {k: (total * w / whole).quantize(KOPECK, rounding=ROUND_HALF_UP) for k, w in positive}
    first = positive[0][0]
    parts[first] += total - sum(parts.values())
    return parts


@dataclass
class Debt:
    """One account's debt by service at a payment: `older` — older than the last document, `recent` — the part
    of the document's charges still unpaid, `document` — the document's charges (the weights of an advance)."""

    older: dict[Key, Decimal] = field(default_factory=dict)
    recent: dict[Key, Decimal] = field(default_factory=dict)
    document: dict[Key, Decimal] = field(default_factory=dict)
    month: dt.date | None = None  # the document's month


def _add(into: dict[Key, Decimal], parts: dict[Key, Decimal]) -> None:
    for key, amount in parts.items():
        into[key] = into.get(key, ZERO) + amount


def allocate(
    amount: Decimal, debt: Debt, *, service: int | None = None, named_month: dt.date | None = None
) -> dict[Key, Decimal]:
    """The payment's parts by service (they sum to `amount`). See the module's rule."""
    if service is not None:
        return {service: amount}
    result: dict[Key, Decimal] = {}
    left = amount
    tiers = [debt.older, debt.recent]
    if named_month is not None and debt.month is not None:
        if named_month == debt.month:
            tiers = [debt.recent, debt.older]
        elif named_month > debt.month:
            tiers = []  # paid ahead, for a month not billed yet: all of it is an advance
    for tier in tiers if left > 0 else []:
        need = sum((v for v in tier.values() if v > 0), ZERO)
        if need <= 0:
            continue
        if left < need:
            _add(result, split(left, tier))
            return result
        _add(result, {k: v for k, v in tier.items() if v > 0})
        left -= need
    if left:
        _add(result, split(left, debt.document) or {None: left})
    return result


def debt_of(account_id: int, month: dt.date) -> Debt:
    """The account's debt by service for a payment posted in `month`: the last period before it with service
    balances is the document; what was allocated since is already paid."""
    last = (
        ServiceBalance.objects.filter(account_id=account_id, period__month__lt=month)
        .order_by("-period__month")
        .values_list("period_id", "period__month")
        .first()
    )
    if last is None:
        return Debt()
    period_id, document_month = last
    rows = ServiceBalance.objects.filter(account_id=account_id, period_id=period_id).values_list(
        "service_id", "closing", "charged", "recalculated", "penalties"
    )
    since = dict(
        Allocation.objects.filter(account_id=account_id, period__month__gt=document_month)
        .values("service_id")
        .annotate(total=Sum("amount"))
        .values_list("service_id", "total")
    )
    debt = Debt(month=document_month)
    for service_id, closing, charged, recalculated, penalties in rows:
        owed = closing - Decimal(since.get(service_id) or 0)
        billed = charged + recalculated + penalties
        if service_id is not None and billed > 0:
            debt.document[service_id] = billed
        debt.recent[service_id] = max(min(owed, max(billed, ZERO)), ZERO)
        debt.older[service_id] = max(owed - max(billed, ZERO), ZERO)
    return debt


def _rows(entry: LedgerEntry, parts: dict[Key, Decimal]) -> list[Allocation]:
    return [
        Allocation(entry=entry, account_id=entry.account_id, period_id=entry.period_id, service_id=key, amount=amount)
        for key, amount in sorted(parts.items(), key=lambda kv: -1 if kv[0] is None else kv[0])
        if amount
    ]


def allocation_write(entry: LedgerEntry, *, original: LedgerEntry | None = None) -> list[Allocation]:
    """Allocate one payment entry and store it. A cancellation (`original` given) takes back what the original
    paid, service by service; a cancellation of a payment never allocated is spread as a payment would be."""
    if original is not None and original.allocations.exists():
        parts = {a.service_id: -a.amount for a in original.allocations.all()}
    else:
        month = BillingPeriod.objects.values_list("month", flat=True).get(pk=entry.period_id)
        parts = allocate(
            entry.amount, debt_of(entry.account_id, month), service=entry.service_id, named_month=entry.named_month
        )
    rows = _rows(entry, parts)
    Allocation.objects.bulk_create(rows)
    return rows


def allocate_pending(period: BillingPeriod) -> int:
    """Allocate the period's payment entries that have no allocation yet (a bank registry's lines are inserted in
    bulk; history from before allocations existed), in the order they were paid. Returns how many."""
    pending = (
        LedgerEntry.objects.filter(period=period, kind=LedgerEntry.Kind.PAYMENT, allocations__isnull=True)
        .exclude(amount=0)
        .order_by("occurred_on", "id")
    )
    count = 0
    for entry in pending.iterator():
        original = None
        if entry.idempotency_key.startswith("payment-cancel:"):
            key = "payment:" + entry.idempotency_key.removeprefix("payment-cancel:")
            original = LedgerEntry.objects.filter(idempotency_key=key).first()
        allocation_write(entry, original=original)
        count += 1
    return count
