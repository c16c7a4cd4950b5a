"""The cash desk: search the account, take the payment, the slip, the same-day cancellation. Thin: the rules are
in office/cashdesk.py and the payments app."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render

from abonent.billing.statements import debt_of, service_debts
from abonent.payments.services import DESK, PaymentError

from . import access, cashdesk
from .forms import DeskCancelForm, DeskForm
from .web import office_page


@office_page("cash")
def desk(request):
    organisation = request.office.organisation
    query = request.GET.get("q", "")
    found = cashdesk.search(organisation, query) if query.strip() else None
    context = {"query": query, "found": found, "today": cashdesk.today_payments(organisation)[:50]}
    return render(request, "office/cash.html", context)


def _account_page(request, account, form, status=200):
    context = {"account": account, "debt": debt_of(account), "form": form,
               "by_service": service_debts([account.pk]).get(account.pk, []),
               "payments": account.payments.order_by("-created_at", "-id")[:10], "desk_channels": DESK}  # fmt: skip
    return render(request, "office/cash_account.html", context, status=status)


@office_page("cash")
def desk_account(request, account_id):
    organisation = request.office.organisation
    account = access.account_for(organisation, account_id)
    form = DeskForm(organisation=organisation, initial={"token": uuid.uuid4(), "payer_name": account.payer_name})
    return _account_page(request, account, form)


@office_page("cash_take", methods=("POST",))
def desk_take(request, account_id):
    organisation = request.office.organisation
    account = access.account_for(organisation, account_id)
    form = DeskForm(request.POST, organisation=organisation)
    if not form.is_valid():
        return _account_page(request, account, form, status=400)
    data = form.cleaned_data
    taken = cashdesk.Taken(account=account, amount=data["amount"], channel=data["channel"], service=data["service"],
                           named_period=data["period"], payer_name=data["payer_name"])  # fmt: skip
    try:
        payment = cashdesk.take(organisation=organisation, operator=request.user, taken=taken, token=str(data["token"]))
    except PaymentError as exc:
        form.add_error(None, str(exc))
        return _account_page(request, account, form, status=400)
    messages.success(request, f"Платёж № {payment.pk} принят и зачислен на счёт {account.number}.")
    return redirect("office:cash_slip", payment_id=payment.pk)


def _slip_page(request, payment, cancel_form, status=200):
    organisation = request.office.organisation
    context = {"payment": payment, "organisation": organisation, "parts": cashdesk.allocation_of(payment),
               "refusal": cashdesk.cancellable(payment, organisation), "cancel_form": cancel_form}  # fmt: skip
    return render(request, "office/cash_slip.html", context, status=status)


@office_page("cash")
def desk_slip(request, payment_id):
    payment = access.payment_for(request.office.organisation, payment_id)
    return _slip_page(request, payment, DeskCancelForm())


@office_page("cash_cancel", methods=("POST",))
def desk_cancel(request, payment_id):
    organisation = request.office.organisation
    payment = access.payment_for(organisation, payment_id)
    form = DeskCancelForm(request.POST)
    if form.is_valid():
        try:
            cashdesk.cancel(organisation=organisation, operator=request.user, payment=payment,
                            reason=form.cleaned_data["reason"])  # fmt: skip
        except PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Платёж № {payment.pk} отменён.")
            return redirect("office:cash_slip", payment_id=payment.pk)
    return _slip_page(request, payment, form, status=400)
