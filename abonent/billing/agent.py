"""What the organisation collected as an agent for each supplier, and what it owes them (the agent's split).

A service whose supplier is another legal entity and whose payee is the organisation (Service.Payee.AGENT) is
collected by the organisation for the supplier (ГК РФ ст.1005, ПП РФ №354 п.64): every payment's part for it is in
the allocation (allocation.py), so the split is a sum of Allocation rows — never an estimate.

- `collected_by_day`: per supplier and payment day, what was collected, the agent's fee (the supplier's
  agent_fee_percent, rounded half up once per row) and what is to be transferred — the payment-order register.
- `monthly_report`: per supplier and period, from the ledger by service: charged (with recalculations), penalties,
  collected, the debt at the period's end and the fee on what was collected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from abonent.lib.tables import Table
from abonent.orgs.models import Supplier

from .models import Allocation, BillingPeriod, Service, ServiceBalance

ZERO = Decimal("0")
KOPECK = Decimal("0.01")


def fee(amount: Decimal, percent: Decimal | None) -> Decimal:
    if not percent:
        return ZERO
    return (amount * percent / 100).quantize(KOPECK, rounding=ROUND_HALF_UP)


def _agent_services(organisation_id: int):
    return Service.objects.filter(
        organisation_id=organisation_id, supplier__isnull=False, payee=Service.Payee.AGENT
    ).values_list("pk", "supplier_id")


@dataclass(frozen=True)
class DayRow:
    supplier: Supplier
    day: dt.date
    collected: Decimal
    fee: Decimal

    @property
    def transfer(self) -> Decimal:
        return self.collected - self.fee


def collected_by_day(organisation_id: int, first: dt.date, last: dt.date) -> list[DayRow]:
    """Per supplier and day paid (first…last inclusive), what was collected for the supplier. Two queries."""
    suppliers_of = dict(_agent_services(organisation_id))
    sums = (
        Allocation.objects.filter(
            service_id__in=list(suppliers_of), entry__occurred_on__gte=first, entry__occurred_on__lte=last
        )
        .values("service_id", "entry__occurred_on")
        .annotate(total=Sum("amount"))
        .values_list("service_id", "entry__occurred_on", "total")
    )
    by_key: dict[tuple[int, dt.date], Decimal] = {}
    for service_id, day, total in sums:
        key = (suppliers_of[service_id], day)
        by_key[key] = by_key.get(key, ZERO) + Decimal(total).quantize(KOPECK)
    suppliers = Supplier.objects.in_bulk({s for s, _ in by_key})
    rows = [
        DayRow(suppliers[s], day, total, fee(total, suppliers[s].agent_fee_percent))
        for (s, day), total in by_key.items()
        if total
    ]
    return sorted(rows, key=lambda r: (r.supplier.short_name, r.day))


def register_table(rows: list[DayRow], first: dt.date, last: dt.date) -> Table:
    """The register of payment orders for the transfers: one row per supplier and day, with its requisites."""
    headers = [
        "Дата поступления",
        "Получатель",
        "ИНН",
        "КПП",
        "Банк",
        "БИК",
        "К/с",
        "Р/с",
        "Собрано, ₽",
        "Вознаграждение агента, ₽",
        "К перечислению, ₽",
        "Назначение платежа",
    ]
    body = [
        [
            r.day,
            r.supplier.name,
            r.supplier.inn,
            r.supplier.kpp,
            r.supplier.bank_name,
            r.supplier.bik,
            r.supplier.correspondent_account,
            r.supplier.settlement_account,
            r.collected,
            r.fee,
            r.transfer,
            f"Перечисление платежей населения, собранных {r.day:%d.%m.%Y} по агентскому договору"
            + (f", за вычетом вознаграждения {r.supplier.agent_fee_percent} %" if r.fee else "")
            + ". Без НДС",
        ]
        for r in rows
    ]
    return Table(f"agent-register-{first:%Y%m%d}-{last:%Y%m%d}", "Реестр перечислений", headers, body)


@dataclass(frozen=True)
class MonthRow:
    supplier: Supplier
    charged: Decimal  # charges with recalculations of the period
    penalties: Decimal
    collected: Decimal
    debt: Decimal  # the closing of the supplier's services at the period's end
    fee: Decimal


def monthly_report(period: BillingPeriod) -> list[MonthRow]:
    """Per supplier collected for as an agent, the period's figures from the ledger by service. Three queries."""
    suppliers_of = dict(_agent_services(period.organisation_id))
    sums = (
        ServiceBalance.objects.filter(period=period, service_id__in=list(suppliers_of))
        .values("service_id")
        .annotate(
            charged=Sum("charged"),
            recalculated=Sum("recalculated"),
            penalties=Sum("penalties"),
            paid=Sum("paid"),
            closing=Sum("closing"),
        )
    )
    totals: dict[int, list[Decimal]] = {}
    for row in sums:
        t = totals.setdefault(suppliers_of[row["service_id"]], [ZERO] * 4)
        figures = (row["charged"] + row["recalculated"], row["penalties"], row["paid"], row["closing"])
        for i, value in enumerate(figures):
            t[i] += Decimal(value).quantize(KOPECK)
    suppliers = Supplier.objects.in_bulk(list(totals))
    rows = [
        MonthRow(suppliers[s], charged, penalties, paid, closing, fee(paid, suppliers[s].agent_fee_percent))
        for s, (charged, penalties, paid, closing) in totals.items()
    ]
    return sorted(rows, key=lambda r: r.supplier.short_name)


def monthly_table(period: BillingPeriod, rows: list[MonthRow]) -> Table:
    headers = ["Поставщик", "ИНН", "Начислено с перерасчётами, ₽", "Пени, ₽", "Собрано, ₽", "Долг на конец, ₽"]
    headers.append("Вознаграждение агента, ₽")
    body = [[r.supplier.name, r.supplier.inn, r.charged, r.penalties, r.collected, r.debt, r.fee] for r in rows]
    return Table(f"agent-report-{period.month:%Y-%m}", "Отчёт агента", headers, body)
