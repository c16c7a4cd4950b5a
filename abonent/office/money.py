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


def total_debt(organisation) -> tuple[Decimal, int]:
    """What is owed now (advances do not lessen it) and by how many accounts."""
    period = last_published(organisation)
    if period is None:
        return ZERO, 0
    found = debts_now(organisation, period).filter(debt__gt=0).aggregate(total=Sum("debt"), count=Count("id"))
    return round_money(found["total"] or ZERO), found["count"]


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


def payments_between(organisation, first: dt.date, last: dt.date) -> Decimal:
    """Payments (less cancellations) dated between the two local days, as the ledger holds them. A payment is
    posted to the period of its date or, that one being published, to a later one: so the periods from the first
    day's month on, named by id (the ledger's period index, not a scan of every entry)."""
    periods = list(
        BillingPeriod.objects.filter(organisation=organisation, month__gte=first.replace(day=1)).values_list(
            "pk", flat=True
        )
    )
    total = LedgerEntry.objects.filter(
        period_id__in=periods, kind=LedgerEntry.Kind.PAYMENT, occurred_on__range=(first, last)
    ).aggregate(total=Sum("amount"))["total"]
    return round_money(total or ZERO)
