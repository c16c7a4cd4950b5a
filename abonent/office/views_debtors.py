"""Debtors: the filtered list, its XLSX, the pre-court letters to the selected, the restriction warning."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from abonent.lib.inputs import parse_id

from . import access, debtors, exports, notices
from .models import DebtNotice
from .views_reports import _download
from .web import office_page

PAGE = 200


@office_page("debtors")
def debtor_list(request):
    organisation = request.office.organisation
    if request.GET.get("format") == "xlsx":
        return _download(request, "debtors", "Должники")
    form, filters = exports.debtor_filters(request.GET, organisation)
    rows = debtors.debtors(organisation, filters)
    context = {"form": form, "rows": rows[:PAGE], "count": rows.count(), "page_size": PAGE,
               "by_service": filters.service_id is not None}  # fmt: skip
    return render(request, "office/debtors.html", context, status=400 if form.is_bound and form.errors else 200)


@office_page("notices_send", methods=("POST",))
def notices_create(request):
    organisation = request.office.organisation
    ids = [i for i in (parse_id(v) for v in request.POST.getlist("account")) if i is not None]
    kind = request.POST.get("kind")
    if kind not in DebtNotice.Kind.values or not ids:
        messages.error(request, "Отметьте должников и выберите вид письма.")
        return redirect("office:debtors")
    made = notices.notices_send(organisation=organisation, operator=request.user, account_ids=ids, kind=kind)
    messages.success(request, f"Писем записано: {len(made)}.")
    if kind == DebtNotice.Kind.RESTRICTION and len(made) == 1:
        return redirect("office:notice", notice_id=made[0].pk)
    return redirect("office:debtors")


@office_page("notice_print")
def notice(request, notice_id):
    organisation = request.office.organisation
    found = access.notice_for(organisation, notice_id)
    if found.kind == DebtNotice.Kind.PRETRIAL:
        response = HttpResponse(notices.letters_pdf([found], organisation), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="notice-{found.pk}.pdf"'
        return response
    return render(request, "office/restriction.html", {"notice": found, "organisation": organisation})
