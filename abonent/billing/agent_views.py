"""The agent's split in the back office: per supplier and day (the payment-order register, CSV/XLSX) and the
monthly agent report per supplier. Thin: the figures are billing/agent.py's; an operator sees their own
organisation only, a superuser names one (?organisation=)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from abonent.lib import tables
from abonent.lib.inputs import parse_id, parse_ru_date, parse_ru_month
from abonent.orgs.access import works_in_back_office
from abonent.orgs.dates import month_end
from abonent.orgs.models import Organisation

from . import agent
from .models import BillingPeriod


def _organisation(request: HttpRequest) -> Organisation:
    user = request.user
    if not (user.is_authenticated and works_in_back_office(user)):
        raise Http404
    org_id = parse_id(request.GET.get("organisation", "")) if user.is_superuser else user.organisation_id
    org = Organisation.objects.filter(pk=org_id).first() if org_id else None
    if org is None:
        raise Http404
    return org


def _answer(request, context: dict, table, errors: list[str]) -> HttpResponse:
    fmt = request.GET.get("format", "")
    if fmt and not errors:
        if fmt not in tables.FORMATS:
            errors.append("Неизвестный формат файла: выберите CSV или XLSX.")
        else:
            return tables.response(table, fmt)
    context["errors"] = errors
    return render(request, "billing/agent.html", context, status=400 if errors else 200)


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    org = _organisation(request)
    today = org.today()
    errors = []
    first = parse_ru_date(request.GET.get("from") or f"{today.replace(day=1):%d.%m.%Y}")
    last = parse_ru_date(request.GET.get("to") or f"{today:%d.%m.%Y}")
    if first is None or last is None:
        errors.append("Даты указываются в виде ДД.ММ.ГГГГ, например 01.11.2026.")
        first = last = today
    elif first > last:
        errors.append("Дата начала позже даты окончания.")
    rows = [] if errors else agent.collected_by_day(org.pk, first, last)
    context = {"organisation": org, "kind": "register", "rows": rows, "first": first, "last": last}
    context["total"] = sum((r.collected for r in rows), agent.ZERO)
    return _answer(request, context, agent.register_table(rows, first, last), errors)


@require_GET
def monthly(request: HttpRequest) -> HttpResponse:
    org = _organisation(request)
    errors = []
    month = parse_ru_month(request.GET.get("month") or f"{org.today():%m.%Y}")
    period = BillingPeriod.objects.filter(organisation=org, month=month).first() if month else None
    if month is None:
        errors.append("Месяц указывается в виде ММ.ГГГГ, например 11.2026.")
    elif period is None:
        errors.append(f"Расчётного периода за {month:%m.%Y} у организации нет.")
    rows = agent.monthly_report(period) if period else []
    context = {"organisation": org, "kind": "monthly", "rows": rows, "month": month, "period": period}
    table = agent.monthly_table(period, rows) if period else None
    context["end"] = month_end(month) if month else None
    return _answer(request, context, table, errors)
