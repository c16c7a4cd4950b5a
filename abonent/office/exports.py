"""The office's reports as XLSX files, made by a background job (a city's turnover sheet or debtors list is
hundreds of thousands of rows, more than a request may take): the report's name and the query of its page are
the job's parameters, so two operators asking for the same file get one job, and the worker builds the same
table the page shows, in the organisation's time zone."""

from __future__ import annotations

from django.utils import timezone

from abonent.billing.models import Service
from abonent.housing.models import Building
from abonent.jobs.services import start_job
from abonent.lib import tables
from abonent.lib.inputs import parse_id, parse_ru_month
from abonent.orgs.dates import month_start
from abonent.orgs.models import Organisation

from . import debtors, money, reports, turnover
from .forms import DebtorFilterForm

KIND = "office.export"


# --- what a report's page asks for (the page and the job read it alike) ---


def _month(text, default):
    """A month typed as ММ.ГГГГ (or ISO), the default when empty; None when it cannot be read."""
    if not (text or "").strip():
        return default
    return parse_ru_month(text)


def report_range(query, organisation):
    """(first, last, error) of the months asked; the last published month when none is typed."""
    last_published = money.last_published(organisation)
    default = last_published.month if last_published else month_start(organisation.today())
    first = _month(query.get("first"), default)
    last = _month(query.get("last"), first or default)
    if first is None or last is None:
        return default, default, "Месяц вводится как ММ.ГГГГ, например 10.2026."
    if first > last:
        return default, default, "Начало периода позже его конца."
    return first, last, None


def readings_month(query, organisation):
    month, _, error = report_range(query, organisation)
    if not (query.get("first") or "").strip():
        month = month_start(organisation.today())  # readings are of the month under way
    return month, error


def debtors_form(data, organisation):
    form = DebtorFilterForm(data)
    houses = Building.objects.filter(organisation=organisation).order_by("address").values_list("id", "address")
    form.fields["building"].widget.choices = [("", "все дома"), *houses]
    services = Service.objects.filter(organisation=organisation).order_by("name").values_list("id", "name")
    form.fields["service"].widget.choices = [("", "все услуги"), *services]
    return form


def debtor_filters(query, organisation):
    form = debtors_form(query or None, organisation)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = debtors.Filters(
            debt_above=data["debt_above"] or 0,
            months_above=data["months_above"],
            building_id=data["building"],
            service_id=data["service"],
            sort=data["sort"] or "debt",
        )
        return form, filters
    return form, debtors.Filters()


# --- the tables ---


def _turnover(organisation, query) -> tables.Table:
    first, last, _ = report_range(query, organisation)
    by = query.get("by") if query.get("by") in turnover.BY else "account"
    result = turnover.sheet(organisation, first, last, by=by, building_id=parse_id(query.get("building")))
    return turnover.xlsx_table(result, first, last)


def _payments(organisation, query) -> tables.Table:
    month, _, _ = report_range(query, organisation)
    days = reports.payments_by_day(organisation, month)
    channels = [str(c.label) for c in reports.PAYMENT_CHANNELS]
    rows = ([d.day, *d.amounts(), d.total, d.count] for d in days)
    headers = ["Дата", *channels, "Всего, ₽", "Платежей"]
    return tables.Table(f"payments-{month:%Y-%m}", "Платежи", headers, rows, total=len(days))


def _readings(organisation, query) -> tables.Table:
    month, _ = readings_month(query, organisation)
    houses = reports.readings_by_house(organisation, month)
    channels = [str(c.label) for c in reports.READING_CHANNELS]
    rows = ([h.address, h.meters, *h.by_channel, h.received] for h in houses)
    headers = ["Дом", "Приборов", *channels, "Передано"]
    return tables.Table(f"readings-{month:%Y-%m}", "Показания", headers, rows, total=len(houses))


def _debtors(organisation, query) -> tables.Table:
    _, filters = debtor_filters(query, organisation)
    rows = debtors.debtors(organisation, filters)
    sheet = debtors.export(organisation, rows)
    return tables.Table("debtors", "Должники", sheet.headers, sheet.rows, total=rows.count())


# the report (its page's roles.ALLOWED entry) → its table
TABLES = {"turnover": _turnover, "payments_report": _payments, "readings_report": _readings, "debtors": _debtors}


def export_start(*, organisation: Organisation, report: str, query, label: str, actor):
    """Queue the report's file: `query` is its page's query string (without the format)."""
    asked = {key: query.get(key) for key in sorted(query) if key not in ("format", "page")}
    params = {"report": report, "query": asked, "format": "xlsx", "label": label}
    return start_job(kind=KIND, organisation=organisation, params=params, actor=actor)


def build(job) -> tables.Table:
    """The job's table (office.tasks registers the kind)."""
    organisation = job.organisation
    with timezone.override(organisation.tz):
        return TABLES[job.params["report"]](organisation, job.params["query"])
