"""Subscribers' receipts: the list of published periods, the PDF and the HTML print version. Thin views."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from abonent.lib.inputs import parse_id
from abonent.users.access import account_for_user

from . import access, pdf, qr, selectors, services


def _pdf_response(receipt: selectors.Receipt) -> HttpResponse:
    response = HttpResponse(pdf.render([receipt]), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{receipt.account.number}-{receipt.slug}.pdf"'
    return response


@login_required
def receipt_list(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for_user(request.user, account_id)
    balances = selectors.receipt_periods(account=account)
    return render(request, "receipts/list.html", {"account": account, "balances": balances})


@login_required
def receipt_pdf(request: HttpRequest, account_id: int, month: str) -> HttpResponse:
    return _pdf_response(access.receipt_for_user(request.user, account_id, month))


@login_required
def receipt_print(request: HttpRequest, account_id: int, month: str) -> HttpResponse:
    receipt = access.receipt_for_user(request.user, account_id, month)
    return render(request, "receipts/print.html", {"r": receipt})


@login_required
def receipt_qr(request: HttpRequest, account_id: int, month: str) -> HttpResponse:
    receipt = access.receipt_for_user(request.user, account_id, month)
    raw = request.GET.get("payee")
    if raw is None:
        return HttpResponse(qr.png(receipt.qr_payload()), content_type="image/png")
    # a supplier paid directly: its own code (its position among the receipt's payees)
    index = parse_id(raw)
    if index is None or index >= len(receipt.payees) or not receipt.payees[index].direct:
        raise Http404
    section = receipt.payees[index]
    payment = section.payment(number=receipt.account.number, month=receipt.period.month, payer_address=receipt.address)
    return HttpResponse(qr.png(qr.payload(payment)), content_type="image/png")


@staff_member_required
def admin_receipt_pdf(request: HttpRequest, account_id: int, month: str) -> HttpResponse:
    """Any published receipt of an account of the operator's organisation (superusers: any organisation)."""
    return _pdf_response(access.receipt_for_operator(request.user, account_id, month))


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """From the e-mail, without logging in: GET asks (mail scanners follow links), POST turns the e-mails off."""
    if request.method == "POST":
        link = services.receipts_unsubscribe(token=token)
        return render(request, "receipts/unsubscribe.html", {"link": link, "done": link is not None})
    return render(request, "receipts/unsubscribe.html", {"link": services.unsubscribe_link(token)})
