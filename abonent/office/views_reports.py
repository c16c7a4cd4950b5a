"""The accountant's reports on screen and as XLSX: the turnover sheet, payments by day, readings by house. The
file is made by a background job (exports): the button answers at once with the job's page, where the file is
downloaded when ready."""

from django.contrib import messages
from django.shortcuts import redirect, render

from abonent.lib.inputs import parse_id

from . import exports, reports, turnover
from .models import OfficeAction
from .services import log
from .web import office_page

PAGE = 100  # lines on a screen; the file has them all


def _download(request, report: str, what: str):
    office = request.office
    log(organisation=office.organisation, actor=request.user, kind=OfficeAction.Kind.REPORT_DOWNLOADED, details=what)
    job = exports.export_start(
        organisation=office.organisation, report=report, query=request.GET, label=what, actor=request.user
    )
    messages.success(request, "Файл готовится: он появится на этой странице, когда будет готов.")
    return redirect("office:job", job.pk)


@office_page("turnover")
def turnover_sheet(request):
    organisation = request.office.organisation
    first, last, error = exports.report_range(request.GET, organisation)
    by = request.GET.get("by") if request.GET.get("by") in turnover.BY else "account"
    building = parse_id(request.GET.get("building"))
    if request.GET.get("format") == "xlsx" and not error:
        return _download(request, "turnover", f"ОСВ {first:%m.%Y}–{last:%m.%Y}")
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
    month, _, error = exports.report_range(request.GET, organisation)
    if request.GET.get("format") == "xlsx" and not error:
        return _download(request, "payments_report", f"Платежи {month:%m.%Y}")
    days = reports.payments_by_day(organisation, month)
    total = reports.payment_totals(days)
    channels = [str(c.label) for c in reports.PAYMENT_CHANNELS]
    context = {"month": month, "days": days, "total": total, "channels": channels, "error": error}
    return render(request, "office/payments.html", context, status=400 if error else 200)


@office_page("readings_report")
def readings_report(request):
    organisation = request.office.organisation
    month, error = exports.readings_month(request.GET, organisation)
    if request.GET.get("format") == "xlsx" and not error:
        return _download(request, "readings_report", f"Показания по домам {month:%m.%Y}")
    houses = reports.readings_by_house(organisation, month)
    channels = [str(c.label) for c in reports.READING_CHANNELS]
    context = {"month": month, "houses": houses, "channels": channels, "error": error}
    return render(request, "office/readings_report.html", context, status=400 if error else 200)
