"""Registry and readings imports from the office: the upload queues the same job the admin starts (payments'
registry, metering's readings import) and opens the office's page of that job, whose progress moves and which
ends with the result: counts, unmatched payments, refused lines. A file in the wrong encoding is refused on the
form at once (that check reads the bytes only); everything else is the job's. The registry's lines whose account
is unknown wait in a list, each credited by hand to the account the operator names (payments' own service)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from abonent.exchange.tasks import register_start
from abonent.housing.models import PersonalAccount
from abonent.metering.forms import ImportForm
from abonent.metering.tasks import import_start
from abonent.payments.models import UnmatchedLine
from abonent.payments.services import unmatched_resolve

from . import access
from .services import log
from .web import office_page

UNMATCHED_PAGE = 200


def page(request, form, title):
    return render(request, "office/import.html", {"form": form, "title": title}, status=400 if form.errors else 200)


@office_page("readings_import", methods=("GET", "HEAD", "POST"))
def readings_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return page(request, form, "Показания из файла")
    upload = form.cleaned_data["file"]
    job = import_start(organisation=request.office.organisation, data=upload.read(), file_name=upload.name,
                       actor=request.user)  # fmt: skip
    messages.success(request, "Файл показаний принят в обработку.")
    return redirect("office:job", job.pk)


class RegisterForm(forms.Form):
    file = forms.FileField(label="Файл реестра из биллинга (CSV, XLSX, DBF): дома, помещения, счета, приборы учёта")


@office_page("register_import", methods=("GET", "HEAD", "POST"))
def register_upload(request):
    form = RegisterForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return page(request, form, "Реестр из биллинга")
    upload = form.cleaned_data["file"]
    job = register_start(organisation=request.office.organisation, data=upload.read(), file_name=upload.name,
                         actor=request.user)  # fmt: skip
    messages.success(request, "Реестр принят в обработку.")
    return redirect("office:job", job.pk)


@office_page("unmatched")
def unmatched_lines(request):
    lines = UnmatchedLine.objects.filter(organisation=request.office.organisation, payment__isnull=True)
    return render(request, "office/unmatched.html", {"lines": lines.select_related("registry")[:UNMATCHED_PAGE]})


@office_page("unmatched_resolve", methods=("POST",))
def unmatched_resolve_view(request, line_id):
    """The line credited to the account the operator names; an unknown number is said, nothing is written."""
    organisation = request.office.organisation
    line = access.unmatched_for(organisation, line_id)
    number = request.POST.get("account", "").strip()
    account = PersonalAccount.objects.filter(organisation=organisation, number=number).first()
    if account is None:
        messages.error(request, f"Лицевой счёт «{number}» не найден в организации.")
        return redirect("office:unmatched")
    unmatched_resolve(line=line, account=account, actor=request.user)
    log(organisation=organisation, actor=request.user, kind="unmatched_resolved", account=account,
        details=f"{line.amount} от {line.paid_on:%d.%m.%Y} (в реестре: {line.account_number})")  # fmt: skip
    messages.success(request, f"Платёж зачислен на счёт {account.number}.")
    return redirect("office:unmatched")
