"""Who owes: the accounts with a debt now, how many months of charges it is, filtered and sorted as the
accountant asks. "Months in debt" is the debt divided by the average monthly charge of the last twelve
published months: the measure ПП 354 п.117 uses (a debt of more than two months' charges allows a restriction).
Filtered by a service, the list keeps the accounts owing for that service in the last published month (its
closing in billing's per-service ledger, ServiceBalance) above the sum asked, and sorts and shows by that debt.

The XLSX has the debt per service as columns — one per service of the organisation, plus what belongs to no
service — from the same ServiceBalance rows; payments posted after the month are not yet spread over services
(the next close does it), so they are a column of their own and the services less them add up to the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from abonent.billing.models import AccountBalance, BillingPeriod, Service, ServiceBalance
from abonent.lib.numbers import round_money
from abonent.orgs.dates import add_months

from . import money
from .models import DebtNotice
from .money import ZERO
from .turnover import NO_SERVICE

SORTS = {
    "debt": "-debt",
    "months": "-months",
    "number": "account__number",
    "address": "account__premises__building__address",
}
RESTRICTION_MONTHS = 2  # ПП 354 п.117: more than two months of charges


@dataclass(frozen=True)
class Filters:
    debt_above: Decimal = Decimal("0")
    months_above: Decimal | None = None
    building_id: int | None = None
    service_id: int | None = None
    sort: str = "debt"


def debtors(organisation, filters: Filters):
    """Balance rows of the last published period with `debt`, `average` and `months` annotated."""
    period = money.last_published(organisation)
    if period is None:
        return AccountBalance.objects.none()
    average = (
        AccountBalance.objects.filter(
            account_id=OuterRef("account_id"),
            period__organisation=organisation,
            period__state=BillingPeriod.State.PUBLISHED,
            period__month__gt=add_months(period.month, -12),
        )
        .values("account_id")
        .annotate(a=Avg(F("charged") + F("recalculated")))
        .values("a")
    )
    last_notice = DebtNotice.objects.filter(account_id=OuterRef("account_id")).order_by("-created_at")
    rows = (
        money.debts_now(organisation, period)
        .filter(debt__gt=0 if filters.service_id is not None else filters.debt_above)
        .annotate(average=Coalesce(Subquery(average, output_field=money.MONEY), Value(money.ZERO)))
        .filter(average__gt=0)
        .annotate(
            months=ExpressionWrapper(
                F("debt") / F("average"), output_field=DecimalField(max_digits=10, decimal_places=1)
            ),
            last_notice_on=Subquery(last_notice.values("issued_on")[:1]),
        )
        .select_related("account__premises__building")
    )
    if filters.months_above is not None:
        rows = rows.filter(months__gt=filters.months_above)
    if filters.building_id is not None:
        rows = rows.filter(account__premises__building_id=filters.building_id)
    sort = SORTS.get(filters.sort, "-debt")
    if filters.service_id is not None:
        rows = _owing_for_service(rows, period, filters.service_id, filters.debt_above)
        sort = "-service_debt" if sort == "-debt" else sort
    return rows.order_by(sort, "account__number")


def _owing_for_service(rows, period: BillingPeriod, service_id: int, above: Decimal):
    """Payments after the month are not yet spread over services (the next close does it), so the service's
    debt is its closing in the last published month."""
    closing = ServiceBalance.objects.filter(account_id=OuterRef("account_id"), period=period, service_id=service_id)
    owed = Subquery(closing.values("closing")[:1], output_field=money.MONEY)
    return rows.annotate(service_debt=owed).filter(service_debt__gt=max(above, Decimal("0")))


@dataclass(frozen=True)
class Export:
    """The debtors as the XLSX has them: the headers with a column per service, and the rows."""

    headers: list[str]
    rows: object  # a generator of lists


def export(organisation, rows) -> Export:
    """The rows of `debtors()` with their debt per service (ServiceBalance closings of the same period)."""
    period = money.last_published(organisation)
    services = list(Service.objects.filter(organisation=organisation).order_by("name").values_list("id", "name"))
    by_account: dict[int, dict] = {}
    if period is not None:
        found = ServiceBalance.objects.filter(period=period, account_id__in=rows.values("account_id"))
        for account_id, service_id, closing in found.values_list("account_id", "service_id", "closing"):
            by_account.setdefault(account_id, {})[service_id] = closing
    columns = [pk for pk, _ in services] + [None]
    headers = [*HEADERS[:3], *(f"{name}, ₽" for _, name in services), f"{NO_SERVICE}, ₽", *HEADERS[3:]]
    return Export(headers, _export_rows(rows, by_account, columns))


def _export_rows(rows, by_account: dict, columns: list):
    for r in rows.iterator(chunk_size=2000):
        account = r.account
        owed = by_account.get(r.account_id, {})
        yield [
            account.number,
            account.payer_name,
            f"{account.premises.building.address}, кв. {account.premises.number}",
            *(round_money(owed.get(c, ZERO)) for c in columns),
            round_money(r.later_paid),
            round_money(r.debt),
            round_money(r.average),
            Decimal(r.months).quantize(Decimal("0.1")),
            r.last_notice_on,
        ]


HEADERS = [
    "Лицевой счёт",
    "Плательщик",
    "Адрес",
    "Оплачено после месяца, ₽",
    "Долг всего, ₽",
    "Начисляется в месяц, ₽",
    "Месяцев долга",
    "Последнее письмо",
]
