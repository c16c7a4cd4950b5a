"""The turnover sheet (оборотно-сальдовая ведомость): for a range of months, by account, by house or by service,
the opening balance, charged, recalculated, penalties, paid and the closing balance.

The one place the office reads turnovers, so that a per-service split of the ledger changes this module only.
It reads billing's AccountBalance rows of the published months — the same rows the ledger's entries were posted
from (billing.ledger: closing = opening + charged + recalculated + penalties − paid) — summed in the database:
the opening is the first month's, the closing the last month's, the rest added up. A test checks every account
and month of the demo against the ledger entries themselves.

By service the sheet reads billing's ServiceBalance rows instead (the per-service ledger): the close writes them so
that an account's rows add up to its AccountBalance, field by field, so the service sheet's total is the account
sheet's (a test). The row without a service — a recalculation with none, an advance not yet spread — is its own
line, "Без услуги".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, F, Sum, Value, When

from abonent.billing.models import AccountBalance, BillingPeriod, ServiceBalance
from abonent.lib import tables
from abonent.lib.numbers import round_money

from . import money
from .money import MONEY, ZERO

FIGURES = ("opening", "charged", "recalculated", "penalties", "paid", "closing")
HEADERS = ["Входящее сальдо", "Начислено", "Перерасчёты", "Пени", "Оплачено", "Исходящее сальдо"]
BY = {"account": ("account_id", "account__number", "account__premises__building__address",
                  "account__premises__number", "account__payer_name"),
      "house": ("account__premises__building_id", "account__premises__building__address"),
      "service": ("service_id", "service__name")}  # fmt: skip
ORDER = {"account": "account__number", "house": "account__premises__building__address", "service": "service__name"}
NO_SERVICE = "Без услуги"
# the first two columns' headings of each kind of sheet
LABELS = {"account": ("Лицевой счёт", "Адрес и плательщик"), "house": ("Дом", ""), "service": ("Услуга", "")}


class TurnoverError(ValueError):
    """A range the sheet cannot show; the message is Russian."""


@dataclass
class Line:
    key: int
    label: str
    detail: str
    opening: Decimal
    charged: Decimal
    recalculated: Decimal
    penalties: Decimal
    paid: Decimal
    closing: Decimal

    def figures(self) -> list[Decimal]:
        return [getattr(self, name) for name in FIGURES]


@dataclass
class Sheet:
    first: dt.date | None  # the first and last published month in the range asked
    last: dt.date | None
    by: str
    lines: list[Line]
    total: Line
    count: int = 0  # lines in the whole sheet; `lines` may be one page of it


def published_months(organisation, first: dt.date, last: dt.date) -> list[dt.date]:
    return [p.month for p in _published_periods(organisation, first, last)]


def _sums(first: dt.date, last: dt.date) -> dict:
    def at(month, name):
        return Sum(Case(When(period__month=month, then=F(name)), default=Value(ZERO), output_field=MONEY))

    return {
        "opening": at(first, "opening"),
        "charged": Sum("charged"),
        "recalculated": Sum("recalculated"),
        "penalties": Sum("penalties"),
        "paid": Sum("paid"),
        "closing": at(last, "closing"),
    }


def _line(row: dict, by: str) -> Line:
    values = {name: round_money(row[name] or ZERO) for name in FIGURES}
    if by == "account":
        key, number, address, flat, payer = (row[k] for k in BY["account"])
        return Line(key, number, f"{address}, кв. {flat} — {payer}", **values)
    key, name = (row[k] for k in BY[by])
    return Line(key or 0, name or NO_SERVICE, "", **values)


def sheet(
    organisation,
    first: dt.date,
    last: dt.date,
    *,
    by: str = "account",
    building_id: int | None = None,
    page: slice | None = None,
) -> Sheet:
    """The sheet of the published months between `first` and `last` (first days of months); `page` cuts the
    lines (the screen shows a page, the file all), the total is always the whole sheet's."""
    if by not in BY:
        raise TurnoverError("Ведомость строится по лицевым счетам, по домам или по услугам.")
    if first > last:
        raise TurnoverError("Начало периода позже его конца.")
    periods = _published_periods(organisation, first, last)
    if not periods:
        return Sheet(None, None, by, [], Line(0, "Итого", "", *(ZERO,) * 6))
    # The organisation named again though its periods imply it: by it and the account's number the database walks
    # its unique index in the sheet's order and stops after a page, instead of sorting every account of the city.
    rows = (ServiceBalance if by == "service" else AccountBalance).objects.filter(
        period__in=periods, account__organisation=organisation
    )
    if building_id is not None:
        rows = rows.filter(account__premises__building_id=building_id)
    lines = [_line(r, by) for r in _grouped(rows, periods, by, page)]
    if page is None:
        total, count = {name: sum((getattr(line, name) for line in lines), ZERO) for name in FIGURES}, len(lines)
    else:  # the whole sheet's total and size: frozen with its published months
        total, count = money.frozen(f"turnover:{by}:{building_id}", periods, lambda: _total(rows, periods, by))
    return Sheet(periods[0].month, periods[-1].month, by, lines, Line(0, "Итого", "", **total), count)


def _published_periods(organisation, first: dt.date, last: dt.date) -> list[BillingPeriod]:
    return list(
        BillingPeriod.objects.filter(
            organisation=organisation, state=BillingPeriod.State.PUBLISHED, month__range=(first, last)
        ).order_by("month")
    )


def _grouped(rows, periods, by: str, page: slice | None):
    """The lines' rows. One month by account is one balance row per account (unique per account and period):
    no grouping, so the database reads a page in the accounts' order instead of summing every account first."""
    order = ORDER[by]
    if by == "account" and len(periods) == 1:
        grouped = rows.values(*BY[by], *FIGURES).order_by(order)
    else:
        grouped = rows.values(*BY[by]).annotate(**_sums(periods[0].month, periods[-1].month)).order_by(order)
    return grouped[page] if page else grouped


def _total(rows, periods, by: str) -> tuple[dict, int]:
    sums = rows.aggregate(**_sums(periods[0].month, periods[-1].month))
    return {name: round_money(v or ZERO) for name, v in sums.items()}, rows.values(BY[by][0]).distinct().count()


def xlsx_table(result: Sheet, first: dt.date, last: dt.date):
    """The sheet as the XLSX file has it (lib.tables), written by the report export job (office.exports)."""
    headers = [*LABELS[result.by], *HEADERS]
    name = f"turnover-{first:%Y-%m}-{last:%Y-%m}"
    return tables.Table(name, "ОСВ", headers, table_rows(result), total=result.count)


def table_rows(result: Sheet):
    """The sheet as rows for lib.tables (XLSX): the label, the detail, the six figures; the total last."""
    for line in [*result.lines, result.total]:
        yield [line.label, line.detail, *line.figures()]
