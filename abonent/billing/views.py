"""The subscriber's billing pages: thin views over billing.statements; tables export to CSV and XLSX."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from abonent.lib import page_cache, tables
from abonent.lib.tables import Table
from abonent.orgs.dates import add_months
from abonent.users.access import account_for_user

from . import statements

FORMAT_ERROR = "Формат выгрузки указан неверно: можно csv или xlsx."


def _page(request, template: str, context: dict, table: Table | None = None, status: int = 200) -> HttpResponse:
    fmt = request.GET.get("format", "")
    query = request.GET.copy()
    query.pop("format", None)
    context["query"] = query.urlencode()
    if fmt and fmt != "html":
        if fmt not in tables.FORMATS:
            context["error"] = FORMAT_ERROR
            return render(request, template, context, status=400)
        if table is not None:
            return tables.response(table, fmt)
    return render(request, template, context, status=status)


def _error(request, template: str, context: dict, exc: statements.StatementError) -> HttpResponse:
    context["error"] = str(exc)
    return render(request, template, context, status=400)


@login_required
@require_GET
@page_cache.per_user
def account_card(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for_user(request.user, account_id)  # the access check, before the figures cache
    page_cache.depends_on(request, [account])
    figures = statements.card_figures(account)
    month = figures["month"]
    context = {
        "account": account,
        "payer": statements.mask_payer(account.payer_name),
        "month": month,
        "debt": figures["debt"],
        "parts": figures["parts"],
        "chart": figures["chart"],
        "consumption": figures["consumption"],
        "services_off": figures["services_off"],
        "figures_version": figures["version"],
        "figures_timeout": figures["timeout"],
        "active": "card",
    }
    table = None
    if month is not None:
        rows = [[r.service, r.unit, r.price, r.volume, r.charged, r.recalculated, r.total, r.note] for r in month.rows]
        if month.penalty:
            rows.append(["Пени", "", None, None, month.penalty, None, month.penalty, ""])
        rows.append(["ИТОГО", "", None, None, month.charged + month.penalty, month.recalculated, month.total, ""])
        headers = ["Услуга", "Единица", "Тариф", "Объём", "Начислено", "Перерасчёт", "Итого начислено", "Примечание"]
        table = Table(f"charges-{account.number}-{month.period.month:%Y-%m}", "Начисления", headers, rows)
    return _page(request, "billing/card.html", context, table)


@login_required
@require_GET
def debt(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for_user(request.user, account_id)  # the access check, before the figures cache
    figures = statements.card_figures(account)
    month, total = figures["month"], figures["debt"]
    months = statements.balances(account)[-36:][::-1]
    context = {
        "account": account,
        "debt": total,
        "month": month,
        "parts": figures["parts"],
        "months": months,
        "active": "debt",
    }
    headers = ["Месяц", "Долг на начало", "Начислено", "Перерасчёты", "Пени", "Оплачено", "Долг на конец"]
    rows = [
        [b.period.month.strftime("%m.%Y"), b.opening, b.charged, b.recalculated, b.penalties, b.paid, b.closing]
        for b in months
    ]
    table = Table(f"debt-{account.number}", "Детализация счёта", headers, rows)
    return _page(request, "billing/debt.html", context, table)


@login_required
@require_GET
def history(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for_user(request.user, account_id)
    today = account.organisation.today()
    default_start = add_months(today.replace(day=1), -24).replace(day=min(today.day, 28))
    context = {"account": account, "active": "history", "start_text": request.GET.get("from", "")}
    context["end_text"] = request.GET.get("to", "")
    try:
        start = statements.parse_day(request.GET.get("from"), default_start, "с")
        end = statements.parse_day(request.GET.get("to"), today, "по")
        result = statements.history(account, start, end)
    except statements.StatementError as exc:
        return _error(request, "billing/history.html", context, exc)
    context.update(history=result, start_text=f"{start:%d.%m.%Y}", end_text=f"{end:%d.%m.%Y}")
    headers = ["Дата", "Вид", "Начисления, ₽", "Оплата, ₽"]
    rows = [
        [
            line.day,
            ("└ " if line.kind in ("service", "recalculation", "penalty") else "") + line.text,
            line.charged,
            line.paid,
        ]
        for line in result.lines
    ]
    table = Table(f"history-{account.number}", "Начисления и платежи", headers, rows)
    return _page(request, "billing/history.html", context, table)


@login_required
@require_GET
def movement(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for_user(request.user, account_id)
    first_default, last_default = statements.default_movement_range(account)
    context = {"account": account, "active": "movement"}
    context.update(first_text=request.GET.get("from", ""), last_text=request.GET.get("to", ""))
    try:
        first = statements.parse_month_param(request.GET.get("from"), first_default, "с")
        last = statements.parse_month_param(request.GET.get("to"), last_default, "по")
        result = statements.movement(account, first, last)
    except statements.StatementError as exc:
        return _error(request, "billing/movement.html", context, exc)
    context.update(movement=result, first_text=f"{first:%m.%Y}", last_text=f"{last:%m.%Y}")
    headers = ["Месяц", "Долг на начало", "Начислено", "Перерасчёты", "Пени", "Оплачено", "Долг на конец"]
    rows = [
        [b.period.month.strftime("%m.%Y"), b.opening, b.charged, b.recalculated, b.penalties, b.paid, b.closing]
        for b in result.months
    ]
    rows.append(
        ["Итого", result.opening, result.charged, result.recalculated, result.penalties, result.paid, result.closing]
    )
    table = Table(f"movement-{account.number}", "Движение средств", headers, rows)
    return _page(request, "billing/movement.html", context, table)


@login_required
@require_GET
def common(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for_user(request.user, account_id)
    context = {"account": account, "active": "common", "month_text": request.GET.get("month", "")}
    try:
        month = statements.parse_month_param(request.GET.get("month"), None, "месяц")
    except statements.StatementError as exc:
        return _error(request, "billing/common.html", context, exc)
    period = statements.published_period(account, month)
    if month and period is None:
        exc = statements.StatementError("За этот месяц начисления ещё не опубликованы.")
        return _error(request, "billing/common.html", context, exc)
    result = statements.common_house(account, period)
    context["common"] = result
    headers = [
        "Услуга",
        "Единица",
        "Объём по общедомовому прибору",
        "Сумма индивидуальных объёмов",
        "Объём на ОДН по дому",
        "Доля помещения",
        "Тариф",
        "Начислено",
    ]
    rows = [
        [c.service, c.unit, c.house_volume, c.individual, c.shared, c.share, c.price, c.amount] for c in result.lines
    ]
    name = f"common-{account.number}-{period.month:%Y-%m}" if period else f"common-{account.number}"
    table = Table(name, "ОДН", headers, rows)
    return _page(request, "billing/common.html", context, table)
