"""The inbox: appeals (answer one) and paid requests, the organisation's own, open first."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from abonent.support.models import Appeal, PaidServiceRequest

from . import access, services
from .forms import AnswerForm, RequestForm
from .web import office_page

OPEN = (Appeal.Status.NEW, Appeal.Status.IN_PROGRESS)


@office_page("appeals")
def inbox(request):
    organisation = request.office.organisation
    show_all = request.GET.get("all") == "1"
    appeals = Appeal.objects.filter(organisation=organisation).select_related("account", "organisation")
    if not show_all:
        appeals = appeals.filter(status__in=OPEN)
    requests = PaidServiceRequest.objects.filter(organisation=organisation).select_related("service", "account")
    if not show_all:
        requests = requests.filter(status__in=(PaidServiceRequest.Status.NEW, PaidServiceRequest.Status.ACCEPTED))
    context = {"appeals": appeals.order_by("created_at")[:200], "requests": requests.order_by("desired_date")[:200],
               "show_all": show_all}  # fmt: skip
    return render(request, "office/inbox.html", context)


@office_page("appeals", methods=("GET", "HEAD", "POST"))
def appeal(request, appeal_id):
    organisation = request.office.organisation
    found = access.appeal_for(organisation, appeal_id)
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.office.may("appeal_answer"):
            return render(request, "office/refused.html", {"reason": "Отвечать на обращения эта роль не может."},
                          status=403)  # fmt: skip
        if form.is_valid():
            try:
                services.appeal_reply(appeal=found, operator=request.user, text=form.cleaned_data["text"])
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
            else:
                messages.success(request, f"Ответ на обращение № {found.pk} отправлен.")
                return redirect("office:appeal", appeal_id=found.pk)
        status = 400
    context = {"appeal": found, "thread": found.messages.exclude(kind="note").order_by("created_at"), "form": form}
    return render(request, "office/appeal.html", context, status=status)


@office_page("appeals", methods=("GET", "HEAD", "POST"))
def paid_request(request, request_id):
    found = access.paid_request_for(request.office.organisation, request_id)
    form = RequestForm(request.POST or None, initial={"status": found.status, "comment": found.operator_comment})
    if request.method == "POST":
        if not request.office.may("request_change"):
            return render(request, "office/refused.html", {"reason": "Менять заявки эта роль не может."}, status=403)
        if form.is_valid():
            try:
                services.paid_request_change(item=found, operator=request.user, status=form.cleaned_data["status"],
                                             comment=form.cleaned_data["comment"])  # fmt: skip
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
            else:
                messages.success(request, f"Заявка № {found.pk} сохранена.")
                return redirect("office:paid_request", request_id=found.pk)
    status = 400 if form.is_bound else 200
    return render(request, "office/paid_request.html", {"item": found, "form": form}, status=status)
