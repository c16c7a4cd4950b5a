"""A month whose figures come from the organisation's own billing system (Organisation.billing_mode "external").

Such a month is not calculated (cycle refuses it): its charges, recalculations, penalties and balances are written
here exactly as the billing's file says, and the period becomes "calculated" — a draft that the usual publish step
posts to the ledger and issues receipts from. So the card, the debt and the ЕПД read the same rows they read for a
month calculated by Abonent, and nothing downstream knows where the figures came from. Writing again replaces the
draft whole (a re-imported month); a published month is frozen like any other (frozen.refuse_published).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from abonent.lib.bulk import insert_rows

from . import calculations as calc
from . import external_sql, figures
from .errors import BillingError
from .frozen import refuse_published
from .ledger import BALANCE_COLUMNS
from .models import AccountBalance, BillingPeriod, Charge, Penalty, Recalculation, ServiceBalance
from .service_ledger import COLUMNS as SERVICE_COLUMNS
from .service_ledger import check as service_ledger_check

ZERO = Decimal("0")
# The recalculations written from a billing's file: recognised by this reason when the month is written again.
RECALCULATION_REASON = "Перерасчёт по данным биллинга организации"
PENALTY_BASIS = "по данным биллинга организации"
CHARGE_COLUMNS = ("account_id", "period_id", "service_id", "basis", "volume", "price", "amount", "factor_excess")


@dataclass(frozen=True)
class ExternalLine:
    """One account's service in the billing's month: the figures as the file gives them."""

    account_id: int
    service_id: int
    volume: Decimal
    tariff: Decimal
    charged: Decimal
    recalculated: Decimal
    penalties: Decimal
    opening: Decimal
    paid: Decimal
    to_pay: Decimal


def external_month_write(period: BillingPeriod, lines: list[ExternalLine]) -> int:
    """Replace the period's draft with `lines`; returns the number of accounts written. The caller has checked
    every line (its to_pay adds up); the balance row's identity is checked by the database as well."""
    return _replace_draft(period, lambda locked: _lines_write(locked, lines))


def external_month_write_from(period: BillingPeriod, source: str) -> int:
    """The same as external_month_write from a SELECT of checked lines (external_sql, PostgreSQL): a city's month
    written set-based."""
    return _replace_draft(
        period, lambda locked: external_sql.write(locked, source, reason=RECALCULATION_REASON, basis=PENALTY_BASIS)
    )


def _replace_draft(period: BillingPeriod, write) -> int:
    if not period.organisation.external_billing:
        raise BillingError("Организация считает начисления сама: загрузка месяца из биллинга ей не положена.")
    with transaction.atomic():
        period = BillingPeriod.objects.select_for_update().get(pk=period.pk)
        refuse_published(period)
        _draft_delete(period)
        accounts = write(period)
        service_ledger_check(period)
        period.state = BillingPeriod.State.CALCULATED
        period.calculated_at = timezone.now()
        period.save(update_fields=["state", "calculated_at"])
        figures.organisation_figures_bump(period.organisation_id)
    return accounts


def _lines_write(period: BillingPeriod, lines: list[ExternalLine]) -> int:
    insert_rows(
        Charge,
        CHARGE_COLUMNS,
        [
            (x.account_id, period.pk, x.service_id, Charge.Basis.FIXED, x.volume, x.tariff, x.charged, ZERO)
            for x in lines
        ],
    )
    Recalculation.objects.bulk_create(
        Recalculation(
            account_id=x.account_id,
            period=period,
            corrected_period=period,
            service_id=x.service_id,
            kind=Recalculation.Kind.OPERATOR,
            amount=x.recalculated,
            reason=RECALCULATION_REASON,
        )
        for x in lines
        if x.recalculated
    )
    accounts = _balances(period, lines)
    _service_balances(period, lines)
    return accounts


def _draft_delete(period: BillingPeriod) -> None:
    Charge.objects.filter(period=period).delete()
    Recalculation.objects.filter(period=period, reason=RECALCULATION_REASON, created_by__isnull=True).delete()
    Penalty.objects.filter(period=period).delete()
    AccountBalance.objects.filter(period=period).delete()
    ServiceBalance.objects.filter(period=period).delete()


def _balances(period: BillingPeriod, lines: list[ExternalLine]) -> int:
    """One balance row per account: the sums of its lines (opening, paid and to pay are the billing's, per
    service, so they are added up too); penalties as one row per account, as the close writes them."""
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO] * 6)
    for x in lines:
        row = sums[x.account_id]
        for i, value in enumerate((x.opening, x.charged, x.recalculated, x.penalties, x.paid, x.to_pay)):
            row[i] += value
    Penalty.objects.bulk_create(
        Penalty(account_id=account_id, period=period, amount=row[3], basis=PENALTY_BASIS)
        for account_id, row in sums.items()
        if row[3]
    )
    rows = [(account_id, period.pk, *(calc.round_money(v) for v in row)) for account_id, row in sorted(sums.items())]
    insert_rows(AccountBalance, BALANCE_COLUMNS, rows)
    return len(rows)


def _service_balances(period: BillingPeriod, lines: list[ExternalLine]) -> None:
    """The ledger by service straight from the lines: the billing gives opening, penalties, paid and to pay per
    service, so nothing is spread or recomputed (the close's rebuild would take the opening from a previous month
    Abonent may not have, and the payments from allocations the billing made itself). Then the two ledgers are
    compared as after any close (_replace_draft), so an imported month is refused rather than stored with sums that differ."""
    rows = [
        (
            x.account_id,
            period.pk,
            x.service_id,
            *(calc.round_money(v) for v in (x.opening, x.charged, x.recalculated, x.penalties, x.paid, x.to_pay)),
        )
        for x in sorted(lines, key=lambda x: (x.account_id, x.service_id))
    ]
    insert_rows(ServiceBalance, SERVICE_COLUMNS, rows)
