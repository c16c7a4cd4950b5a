"""Debtors: the filtered list, its XLSX, the pre-court letters to the selected, the restriction warning."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from abonent.lib.inputs import parse_id

from . import access, debtors, exports, notices, restriction
from .forms import RestrictionForm
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
    if kind == DebtNotice.Kind.RESTRICTION:
        return _restriction(request, ids)
    made = notices.notices_send(organisation=organisation, operator=request.user, account_ids=ids, kind=kind)
    messages.success(request, f"Писем записано: {len(made)}.")
    return redirect("office:debtors")


def _restriction(request, ids):
    """The warning asks how and when it is delivered: the selected debtors' form first, then the warnings."""
    organisation = request.office.organisation
    asked = "delivery" in request.POST
    form = RestrictionForm(request.POST if asked else None, initial={"delivered_on": organisation.today()})
    rows = debtors.debtors(organisation, debtors.Filters()).filter(account_id__in=ids)
    if asked and form.is_valid():
        try:
            made, skipped = restriction.restriction_send(
                organisation=organisation, operator=request.user, account_ids=[r.account_id for r in rows],
                delivery=form.cleaned_data["delivery"], delivered_on=form.cleaned_data["delivered_on"],
            )  # fmt: skip
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field, errors)
        else:
            return _warnings_made(request, made, skipped + len(ids) - len(rows))
    context = {"form": form, "rows": rows, "months": debtors.RESTRICTION_MONTHS}
    return render(request, "office/restriction_form.html", context, status=400 if asked else 200)


def _warnings_made(request, made, skipped: int):
    if skipped:
        messages.warning(request, f"Пропущено: {skipped} — долг не больше двух месячных начислений (ПП 354 п.118) "
                                  "или его нет.")  # fmt: skip
    if not made:
        messages.error(request, "Предупреждений не записано: ни у кого из отмеченных долг не больше двух месяцев.")
        return redirect("office:debtors")
    messages.success(request, f"Предупреждений записано: {len(made)}. Скачайте их для печати.")
    return redirect(reverse("office:notices_pdf") + "?" + "&".join(f"id={n.pk}" for n in made))


@office_page("notice_print")
def notice(request, notice_id):
    organisation = request.office.organisation
    return _pdf([access.notice_for(organisation, notice_id)], organisation)


@office_page("notice_print")
def notices_pdf(request):
    """The restriction warnings just written, in one file; an id not of the organisation's warnings is a 404."""
    organisation = request.office.organisation
    found = [access.notice_for(organisation, i) for i in request.GET.getlist("id")[:PAGE]]
    if not found or any(n.kind != DebtNotice.Kind.RESTRICTION for n in found):
        raise Http404("Не найдено")
    return _pdf(found, organisation)


def _pdf(found, organisation):
    if found[0].kind == DebtNotice.Kind.PRETRIAL:
        data, name = notices.letters_pdf(found, organisation), "notice"
    else:
        data, name = restriction.warnings_pdf(found, organisation), "restriction"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}-{found[0].pk}.pdf"'
    return response
