"""The accountant's reports on screen and as XLSX: the turnover sheet, payments by day, readings by house."""

from django.contrib import messages
from django.shortcuts import redirect, render

from abonent.lib import tables
from abonent.lib.inputs import parse_id, parse_ru_month
from abonent.orgs.dates import month_start

from . import money, reports, tasks, turnover
from .models import OfficeAction
from .services import log
from .web import office_page

PAGE = 100  # lines on a screen; the file has them all
# A larger sheet is written by a job, not while the request waits (openpyxl writes some 10 000 rows a second).
XLSX_IN_REQUEST = 5000


def _month(text, default):
    """A month typed as ММ.ГГГГ (or ISO), the default when empty; None when it cannot be read."""
    if not (text or "").strip():
        return default
    return parse_ru_month(text)


def _range(request, organisation):
    last_published = money.last_published(organisation)
    default = last_published.month if last_published else month_start(organisation.today())
    first = _month(request.GET.get("first"), default)
    last = _month(request.GET.get("last"), first or default)
    if first is None or last is None:
        return default, default, "Месяц вводится как ММ.ГГГГ, например 10.2026."
    if first > last:
        return default, default, "Начало периода позже его конца."
    return first, last, None


def _download(request, table, what: str):
    office = request.office
    log(organisation=office.organisation, actor=request.user, kind=OfficeAction.Kind.REPORT_DOWNLOADED, details=what)
    return tables.response(table, "xlsx")


def _turnover_file(request, first, last, by: str, building):
    """The XLSX in the response, or — for a sheet of more than XLSX_IN_REQUEST lines — a job writing it, whose page
    the accountant is sent to (the file is downloaded there when it is done)."""
    organisation = request.office.organisation
    lines = turnover.sheet(organisation, first, last, by=by, building_id=building, page=slice(0, 0)).count
    what = f"ОСВ {first:%m.%Y}–{last:%m.%Y}"
    if lines > XLSX_IN_REQUEST:
        job = tasks.turnover_xlsx_start(organisation=organisation, first=first, last=last, by=by,
                                        building_id=building, actor=request.user)  # fmt: skip
        log(organisation=organisation, actor=request.user, kind=OfficeAction.Kind.REPORT_DOWNLOADED, details=what)
        messages.success(request, f"В ведомости строк: {lines}. Файл готовится; скачайте его на этой странице.")
        return redirect("office:job", job.pk)
    result = turnover.sheet(organisation, first, last, by=by, building_id=building)
    return _download(request, turnover.xlsx_table(result, first, last), what)


@office_page("turnover")
def turnover_sheet(request):
    organisation = request.office.organisation
    first, last, error = _range(request, organisation)
    by = request.GET.get("by") if request.GET.get("by") in turnover.BY else "account"
    building = parse_id(request.GET.get("building"))
    if request.GET.get("format") == "xlsx" and not error:
        return _turnover_file(request, first, last, by, building)
    page = max(parse_id(request.GET.get("page")) or 1, 1)
    result = turnover.sheet(organisation, first, last, by=by, building_id=building,
                            page=slice((page - 1) * PAGE, page * PAGE))  # fmt: skip
    context = {"sheet": result, "first": first, "last": last, "by": by, "error": error, "page": page,
               "has_next": page * PAGE < result.count, "headers": turnover.HEADERS,
               "label": turnover.LABELS[by][0]}  # fmt: skip
    return render(request, "office/turnover.html", context, status=400 if error else 200)


@office_page("payments_report")
def payments_report(request):
    organisation = request.office.organisation
    month, _, error = _range(request, organisation)
    days = reports.payments_by_day(organisation, month)
    total = reports.payment_totals(days)
    channels = [str(c.label) for c in reports.PAYMENT_CHANNELS]
    if request.GET.get("format") == "xlsx" and not error:
        rows = ([d.day, *d.amounts(), d.total, d.count] for d in days)
        table = tables.Table(f"payments-{month:%Y-%m}", "Платежи", ["Дата", *channels, "Всего, ₽", "Платежей"], rows)
        return _download(request, table, f"Платежи {month:%m.%Y}")
    context = {"month": month, "days": days, "total": total, "channels": channels, "error": error}
    return render(request, "office/payments.html", context, status=400 if error else 200)


@office_page("readings_report")
def readings_report(request):
    organisation = request.office.organisation
    month, _, error = _range(request, organisation)
    if not (request.GET.get("first") or "").strip():
        month = month_start(organisation.today())
    houses = reports.readings_by_house(organisation, month)
    channels = [str(c.label) for c in reports.READING_CHANNELS]
    if request.GET.get("format") == "xlsx" and not error:
        rows = ([h.address, h.meters, *h.by_channel, h.received] for h in houses)
        table = tables.Table(f"readings-{month:%Y-%m}", "Показания", ["Дом", "Приборов", *channels, "Передано"], rows)
        return _download(request, table, f"Показания по домам {month:%m.%Y}")
    context = {"month": month, "houses": houses, "channels": channels, "error": error}
    return render(request, "office/readings_report.html", context, status=400 if error else 200)
