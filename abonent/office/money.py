"""The organisation's money in aggregate — published balances and payments — for the dashboard and the debtors.

Read from billing's own rows (AccountBalance, payment LedgerEntry): the same figures as the subscriber's debt
(billing.statements.debts), but summed in the database, so a city of 100 000 accounts costs a few queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from abonent.billing.models import AccountBalance, BillingPeriod, LedgerEntry
from abonent.lib.numbers import round_money
from abonent.orgs.dates import add_months

ZERO = Decimal("0.00")
PUBLISHED = BillingPeriod.State.PUBLISHED
MONEY = DecimalField(max_digits=14, decimal_places=2)


# Published periods are frozen (billing.frozen): their balance rows never change again, so what the office sums
# from them is cached under the periods' ids and publication times, for as long as the cache keeps it.
FROZEN_TIMEOUT = 24 * 3600


def frozen(name: str, periods, compute):
    """`compute()` cached for the given published periods (a list of BillingPeriod)."""
    stamp = ",".join(f"{p.pk}@{p.published_at.timestamp() if p.published_at else 0}" for p in periods)
    key = "office:" + name + ":" + hashlib.sha1(stamp.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, FROZEN_TIMEOUT)
    return value


def last_published(organisation) -> BillingPeriod | None:
    return BillingPeriod.objects.filter(organisation=organisation, state=PUBLISHED).order_by("-month").first()


def debts_now(organisation, period: BillingPeriod | None = None):
    """The last published period's balance rows, each annotated with `debt`: its closing less the payments
    posted to later periods (what billing.statements.debts says per account)."""
    period = period or last_published(organisation)
    if period is None:
        return AccountBalance.objects.none()
    later = (
        LedgerEntry.objects.filter(
            account_id=OuterRef("account_id"), kind=LedgerEntry.Kind.PAYMENT, period__month__gt=period.month
        )
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return AccountBalance.objects.filter(period=period).annotate(
        later_paid=Coalesce(Subquery(later, output_field=MONEY), Value(ZERO), output_field=MONEY),
        debt=F("closing") - F("later_paid"),
    )


# The debt now = the last published closings above zero (frozen: summed once and cached), corrected for the
# accounts with payments posted after it — only those rows are read. CASE rather than greatest(): SQLite too.
DEBT_CORRECTION = """
SELECT coalesce(sum(CASE WHEN b.closing - p.paid > 0 THEN b.closing - p.paid ELSE 0 END
                    - CASE WHEN b.closing > 0 THEN b.closing ELSE 0 END), 0),
       count(CASE WHEN b.closing - p.paid > 0 THEN 1 END) - count(CASE WHEN b.closing > 0 THEN 1 END)
FROM (
    SELECT account_id, sum(amount) AS paid FROM billing_ledgerentry
    WHERE kind = 'payment' AND period_id IN ({periods})
    GROUP BY account_id
) p
JOIN billing_accountbalance b ON b.account_id = p.account_id AND b.period_id = %s
"""


def _closing_debt(period: BillingPeriod) -> tuple[Decimal, int]:
    found = AccountBalance.objects.filter(period=period, closing__gt=0).aggregate(total=Sum("closing"), n=Count("id"))
    return round_money(found["total"] or ZERO), found["n"]


def total_debt(organisation) -> tuple[Decimal, int]:
    """What is owed now (advances do not lessen it) and by how many accounts: billing.statements.debts, summed."""
    period = last_published(organisation)
    if period is None:
        return ZERO, 0
    total, count = frozen("debt", [period], lambda: _closing_debt(period))
    # The later periods by id, not by a subquery: named ids let the database use the ledger's period index
    # (a subquery made it scan every payment of every month).
    later = list(
        BillingPeriod.objects.filter(organisation=organisation, month__gt=period.month).values_list("pk", flat=True)
    )
    if not later:
        return total, count
    with connection.cursor() as cursor:
        cursor.execute(DEBT_CORRECTION.format(periods=", ".join(["%s"] * len(later))), [*later, period.pk])
        change, count_change = cursor.fetchone()
    return round_money(total + Decimal(str(change or 0))), count + (count_change or 0)


@dataclass(frozen=True)
class MonthMoney:
    month: dt.date
    charged: Decimal  # charges and recalculations of the month
    paid: Decimal
    debt: Decimal  # the closings above zero at the month's end

    @property
    def rate(self) -> Decimal | None:
        """Paid ÷ charged in per cent, one decimal; None for a month with nothing charged."""
        if self.charged <= 0:
            return None
        return (self.paid * 100 / self.charged).quantize(Decimal("0.1"))


def months_money(organisation, last: dt.date, count: int = 12) -> list[MonthMoney]:
    """The published months from `count` − 1 months before `last` to `last`: one grouped query, cached (frozen)."""
    first = add_months(last, -(count - 1))
    periods = list(
        BillingPeriod.objects.filter(organisation=organisation, state=PUBLISHED, month__range=(first, last)).order_by(
            "month"
        )
    )
    return frozen("months", periods, lambda: _months_money(periods))


def _months_money(periods) -> list[MonthMoney]:
    rows = (
        AccountBalance.objects.filter(period__in=periods)
        .values("period__month")
        .annotate(
            charged=Sum(F("charged") + F("recalculated")),
            paid=Sum("paid"),
            debt=Sum(Case(When(Q(closing__gt=0), then=F("closing")), default=Value(ZERO), output_field=MONEY)),
        )
        .order_by("period__month")
    )
    return [
        MonthMoney(
            r["period__month"], round_money(r["charged"] or ZERO), round_money(r["paid"] or ZERO),
            round_money(r["debt"] or ZERO),
        )
        for r in rows
    ]  # fmt: skip


def paid_in(period: BillingPeriod | None) -> Decimal:
    """The payments (less cancellations) posted to a period: those received in its month, and those arriving after
    an earlier month was published. A published period's are its balances' (frozen, cached); an open one's are
    its ledger entries, which before publication are payments only (charges enter at publish)."""
    if period is None:
        return ZERO
    if period.state == PUBLISHED:
        return frozen("paid", [period], lambda: round_money(
            AccountBalance.objects.filter(period=period).aggregate(s=Sum("paid"))["s"] or ZERO))  # fmt: skip
    total = LedgerEntry.objects.filter(period=period, kind=LedgerEntry.Kind.PAYMENT).aggregate(s=Sum("amount"))["s"]
    return round_money(total or ZERO)
