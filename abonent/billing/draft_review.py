"""The draft review: what a calculated period's figures look like against the previous month, before publishing.

Three aggregate queries and one for the account numbers, whatever the number of accounts (GROUP BY in the
database, no loop over accounts here): totals by service, the accounts whose month changed most, and how many
lines were charged on each basis (meter, average, норматив …). The operator reads it before "Опубликовать".
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Abs, Coalesce

from abonent.housing.models import PersonalAccount
from abonent.orgs.dates import add_months

from .models import AccountBalance, BillingPeriod, Charge

TOP_CHANGES = 20
ZERO = Decimal("0")
KOPECK = Decimal("0.01")
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)


def _money(value) -> Decimal:
    # SQLite returns sums through floats: back to kopecks, as the ledger keeps them.
    return Decimal(value or 0).quantize(KOPECK)


@dataclasses.dataclass(frozen=True)
class Comparison:
    """A figure of this month against the previous one."""

    name: str
    current: Decimal
    previous: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        return None if self.previous is None else self.current - self.previous

    @property
    def percent(self) -> Decimal | None:
        if not self.previous:
            return None
        return ((self.current - self.previous) / abs(self.previous) * 100).quantize(Decimal("0.1"))


@dataclasses.dataclass(frozen=True)
class AccountChange:
    account_id: int
    number: str
    current: Decimal
    previous: Decimal

    @property
    def difference(self) -> Decimal:
        return self.current - self.previous


@dataclasses.dataclass(frozen=True)
class BasisCount:
    basis: str
    label: str
    lines: int
    accounts: int
    amount: Decimal
    previous_lines: int | None


@dataclasses.dataclass(frozen=True)
class DraftReview:
    period: BillingPeriod
    previous: BillingPeriod | None
    totals: list[Comparison]  # начислено, перерасчёты, пени, всего
    services: list[Comparison]
    changes: list[AccountChange]
    bases: list[BasisCount]


def draft_review(period: BillingPeriod, top: int = TOP_CHANGES) -> DraftReview:
    previous = BillingPeriod.objects.filter(organisation_id=period.organisation_id, month=add_months(period.month, -1))
    previous = previous.first()
    ids = [period.pk] + ([previous.pk] if previous else [])
    return DraftReview(
        period=period,
        previous=previous,
        totals=_totals(period, previous, ids),
        services=_services(period, previous, ids),
        changes=_changes(period, previous, ids, top),
        bases=_bases(period, previous, ids),
    )


def _this(period: BillingPeriod) -> Q:
    return Q(period_id=period.pk)


def _totals(period, previous, ids) -> list[Comparison]:
    sums = {}
    for column in ("charged", "recalculated", "penalties"):
        sums[f"current_{column}"] = Sum(column, filter=_this(period))
        if previous:
            sums[f"previous_{column}"] = Sum(column, filter=Q(period_id=previous.pk))
    row = AccountBalance.objects.filter(period_id__in=ids).aggregate(**sums)
    names = {"charged": "Начислено по услугам", "recalculated": "Перерасчёты", "penalties": "Пени"}
    out = [
        Comparison(name, _money(row[f"current_{column}"]), _money(row[f"previous_{column}"]) if previous else None)
        for column, name in names.items()
    ]
    total_previous = sum((c.previous for c in out), ZERO) if previous else None
    out.append(Comparison("Всего за месяц", sum((c.current for c in out), ZERO), total_previous))
    return out


def _services(period, previous, ids) -> list[Comparison]:
    sums = {"current": Sum("amount", filter=_this(period))}
    if previous:
        sums["previous"] = Sum("amount", filter=Q(period_id=previous.pk))
    rows = (
        Charge.objects.filter(period_id__in=ids)
        .values("service_id", "service__name", "service__sort_order")
        .annotate(**sums)
        .order_by("service__sort_order", "service__name")
    )
    return [
        Comparison(row["service__name"], _money(row["current"]), _money(row.get("previous")) if previous else None)
        for row in rows
    ]


def _changes(period, previous, ids, top: int) -> list[AccountChange]:
    """The accounts whose month (charges, recalculations, penalties) differs most from the previous one."""
    month_total = F("charged") + F("recalculated") + F("penalties")
    current = Coalesce(Sum(month_total, filter=_this(period)), ZERO, output_field=MONEY_FIELD)
    before = (
        Coalesce(Sum(month_total, filter=Q(period_id=previous.pk)), ZERO, output_field=MONEY_FIELD)
        if previous
        else Value(ZERO, output_field=MONEY_FIELD)
    )
    rows = AccountBalance.objects.filter(period_id__in=ids).values("account_id")
    rows = (
        rows.annotate(current=current, previous=before)
        .annotate(change=Abs(F("current") - F("previous")))
        .order_by("-change", "account_id")[:top]
    )
    rows = list(rows)
    numbers = dict(PersonalAccount.objects.filter(pk__in=[r["account_id"] for r in rows]).values_list("pk", "number"))
    return [
        AccountChange(r["account_id"], numbers.get(r["account_id"], "?"), _money(r["current"]), _money(r["previous"]))
        for r in rows
    ]


def _bases(period, previous, ids) -> list[BasisCount]:
    counts = {
        "lines": Count("id", filter=_this(period)),
        "accounts": Count("account_id", filter=_this(period), distinct=True),
        "amount": Sum("amount", filter=_this(period)),
    }
    if previous:
        counts["previous_lines"] = Count("id", filter=Q(period_id=previous.pk))
    labels = dict(Charge.Basis.choices)
    rows = Charge.objects.filter(period_id__in=ids).values("basis").annotate(**counts).order_by("basis")
    return [
        BasisCount(
            basis=row["basis"],
            label=str(labels.get(row["basis"], row["basis"])),
            lines=row["lines"],
            accounts=row["accounts"],
            amount=_money(row["amount"]),
            previous_lines=row.get("previous_lines"),
        )
        for row in sorted(rows, key=lambda r: list(labels).index(r["basis"]) if r["basis"] in labels else 99)
    ]
