"""Thin views: the subscriber's pay pages, the provider webhook and the sandbox acquirer's card page."""

import datetime as dt
import time
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import OperationalError, transaction
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from abonent.lib.inputs import parse_id
from abonent.lib.numbers import typed

from . import access, autopay, fiscal, selectors, services
from .models import AutoPay, SandboxCharge
from .providers import NotificationRejected, ProviderDisabled, is_test_mode, provider_name, sandbox, sandbox_allowed


def _chosen_account(request, links) -> int | None:
    """?account=<id> from an account's "Оплата" button: that account alone is ticked. Not one of the user's
    payable accounts (another's, a closed one, not a number) answers 404, as for a missing account."""
    raw = request.GET.get("account")
    if raw is None:
        return None
    account_id = parse_id(raw)  # letters, full-width or 5 000 digits are no id
    if account_id not in {link.account_id for link in links}:
        raise Http404
    return account_id


def _pay_rows(links, chosen) -> list[dict]:
    """A row per payable account: what is due, the amount field's text, whether it is ticked (only the clicked
    account when one was clicked) and the services it can be paid for alone."""
    choices = selectors.service_choices([link.account_id for link in links])
    rows = []
    for link in links:
        due = selectors.amount_due(link.closing)
        checked = link.account_id == chosen if chosen is not None else (due > 0 or len(links) == 1)
        rows.append(
            {
                "link": link,
                "due": due,
                "amount_text": typed(due),
                "checked": checked,
                "services": choices.get(link.account_id, []),
                "service": None,
            }
        )
    return rows


def _checkout(request, items, rows) -> str:
    """Start the payment of the ticked amounts; the provider's page (or our СБП QR page) to go to."""
    result_url = request.build_absolute_uri(reverse("payments:result", args=["00000000-0000-0000-0000-000000000000"]))
    _order, redirect_url = services.payment_checkout(
        user=request.user,
        items=items,
        services={row["link"].account_id: row["service"] for row in rows if row["service"]},
        method="sbp" if request.POST.get("method") == "sbp" else "card",
        save_method=request.POST.get("save_method") == "on",
        return_url=result_url.replace("00000000-0000-0000-0000-000000000000", "__order__"),
        notify_url=request.build_absolute_uri(reverse("payments:notify", args=[provider_name()])),
    )
    return redirect_url


@login_required
def pay(request):
    links = list(selectors.payable_links(request.user))
    rows = _pay_rows(links, _chosen_account(request, links))
    errors = []
    if request.method == "POST":
        items, errors = _ticked_amounts(request.POST, rows)
        if not errors:
            try:
                return redirect(_checkout(request, items, rows))
            except services.PaymentError as exc:
                errors.append(str(exc))
    org_ids = {link.account.organisation_id for link in links}
    for row in rows:
        # The receipt with its QR code, to pay in any bank's app (the receipts app, when installed).
        try:
            row["receipts_url"] = reverse("receipts:list", args=[row["link"].account_id])
        except NoReverseMatch:
            row["receipts_url"] = ""
    return render(
        request,
        "payments/pay.html",
        {
            "rows": rows,
            "total_due": sum((row["due"] for row in rows), Decimal("0")),
            "errors": errors,
            "pay_points": selectors.pay_points(org_ids),
            "payments": selectors.recent_payments(request.user),
            "test_mode": is_test_mode(),
        },
    )


def _ticked_amounts(post, rows: list[dict]) -> tuple[list, list[str]]:
    """The ticked accounts with the amounts typed for them, and an error per amount that is not one; each row
    keeps what was ticked and typed, to show the form again."""
    items, errors = [], []
    for row in rows:
        account = row["link"].account
        row["checked"] = post.get(f"pay_{account.pk}") == "on"
        row["amount_text"] = post.get(f"amount_{account.pk}", "")
        if not row["checked"]:
            continue
        try:
            row["service"] = _named_service(post.get(f"service_{account.pk}", ""), row["services"])
            items.append((account, services.parse_amount(row["amount_text"])))
        except services.PaymentError as exc:
            errors.append(f"Л/С № {account.number}: {exc}")
    if not items and not errors:
        errors.append("Отметьте хотя бы один лицевой счёт.")
    return items, errors


def _named_service(raw: str, offered: list) -> int | None:
    """The service chosen to pay alone ("" — all, spread by the receipt); one not offered for this account is
    refused, never taken."""
    if not raw:
        return None
    service_id = parse_id(raw)
    if service_id not in {d.service_id for d in offered}:
        raise services.PaymentError("выберите услугу из списка.")
    return service_id


@login_required
def my_payments(request):
    """ "Мои платежи": every card and СБП payment the user made from the cabinet, newest first, with its status,
    its fiscal receipts and refunds."""
    page = Paginator(selectors.card_payments(request.user), 50).get_page(request.GET.get("page"))
    payments = list(page.object_list)
    selectors.attach_receipts(payments)
    return render(request, "payments/mine.html", {"page": page, "payments": payments})


@login_required
def fiscal_receipt(request, pk):
    """One fiscal receipt, the payer's own (another's answers 404); ?download=1 saves it as a file."""
    receipt = access.own_receipt(request.user, pk)
    context = fiscal.receipt_context(receipt)
    context["qr"] = fiscal.qr_svg(receipt) if receipt.fn else ""
    response = render(request, "payments/fiscal_receipt.html", context)
    if request.GET.get("download") == "1":
        response["Content-Disposition"] = f'attachment; filename="check-{receipt.fd or receipt.pk}.html"'
    return response


@login_required
def sbp(request, order):
    """The СБП QR code of the user's order (another's answers 404), and the link that opens the bank app on a
    phone; the payment is credited on the provider's notification, as a card payment is."""
    payments = access.order_payments(request.user, order)
    if not payments or not payments[0].sbp_payload:
        raise Http404
    if any(p.status not in services.OPEN for p in payments):
        return redirect("payments:result", order=order)
    payload = payments[0].sbp_payload
    context = {
        "payments": payments,
        "payload": payload,
        "qr": fiscal.qr_text_svg(payload),
        "total": sum((p.amount for p in payments), Decimal("0")),
        "test_mode": any(p.provider == "sandbox" for p in payments),
    }
    return render(request, "payments/sbp.html", context)


def _settle_and_read(request, order):
    if not access.order_payments(request.user, order):
        raise Http404
    services.order_refresh(order=order)
    return access.order_payments(request.user, order)


@login_required
def result(request, order):
    for attempt in range(5):
        try:
            payments = _settle_and_read(request, order)
            break
        except OperationalError:
            # The payer comes back at the very moment the acquirer's notification is written. PostgreSQL queues
            # the two; SQLite's shared-cache test database refuses at once ("table is locked") for the few
            # milliseconds the notification's transaction lasts: wait a moment and look again.
            if attempt == 4:
                raise
            time.sleep(0.1 * (attempt + 1))
    processing = any(p.status in services.OPEN for p in payments)
    test_mode = any(p.provider == "sandbox" for p in payments)
    return render(
        request, "payments/result.html", {"payments": payments, "processing": processing, "test_mode": test_mode}
    )


@csrf_exempt
@require_POST
def notify(request, provider):
    if provider not in ("sandbox", "yookassa"):
        raise Http404
    try:
        services.notification_handle(provider_name=provider, body=request.body, headers=request.META)
    except ProviderDisabled as exc:
        raise Http404 from exc
    except NotificationRejected:
        return HttpResponseForbidden("rejected")
    return HttpResponse("OK")


# --- the sandbox acquirer (a stand-in for the bank's page; it knows nothing of Abonent's models but its own) ---


def _card_errors(number: str, expiry: str, cvc: str, today: dt.date) -> list[str]:
    errors = []
    if not sandbox.luhn_ok(number):
        errors.append("Неверный номер карты.")
    try:
        month, year = expiry.split("/")
        month, year = int(month), 2000 + int(year)
        if not 1 <= month <= 12 or (year, month) < (today.year, today.month):
            errors.append("Срок действия карты истёк или указан неверно.")
    except ValueError:
        errors.append("Срок действия указывается как ММ/ГГ.")
    if not (cvc.isdigit() and len(cvc) == 3):
        errors.append("CVC — три цифры с обратной стороны карты.")
    return errors


def _sandbox_notification(body: bytes, headers: dict) -> None:
    """The webhook's handling of a sandbox notification, for the sandbox's "inline" delivery (no server to post to)."""
    services.notification_handle(provider_name="sandbox", body=body, headers=headers)


def _finish(charge: SandboxCharge, status: str, last4: str = "", reason: str = ""):
    with transaction.atomic():
        won = SandboxCharge.objects.filter(
            pk=charge.pk, status__in=[SandboxCharge.Status.PENDING, SandboxCharge.Status.WAITING_3DS]
        ).update(status=status, card_last4=last4 or charge.card_last4, decline_reason=reason)
        if won:
            charge.refresh_from_db()
            sandbox.deliver(charge, handle_inline=_sandbox_notification)
    return redirect(charge.return_url)


def sandbox_pay(request, token):
    if not sandbox_allowed():
        raise Http404
    charge = get_object_or_404(SandboxCharge, token=token)
    if charge.status in (SandboxCharge.Status.SUCCEEDED, SandboxCharge.Status.DECLINED):
        return redirect(charge.return_url)
    errors = []
    if request.method == "POST":
        if charge.status == SandboxCharge.Status.WAITING_3DS:
            if request.POST.get("code", "").strip() == sandbox.THREE_DS_CODE:
                return _finish(charge, SandboxCharge.Status.SUCCEEDED)
            return _finish(charge, SandboxCharge.Status.DECLINED, reason=sandbox.THREE_DS_FAILED_REASON)
        number = request.POST.get("number", "").replace(" ", "")
        expiry = request.POST.get("expiry", "").strip()
        cvc = request.POST.get("cvc", "").strip()
        errors = _card_errors(number, expiry, cvc, dt.datetime.now(dt.UTC).date())
        if not errors:
            if number == sandbox.THREE_DS_CARD:
                SandboxCharge.objects.filter(pk=charge.pk).update(
                    status=SandboxCharge.Status.WAITING_3DS, card_last4=number[-4:]
                )
                charge.refresh_from_db()
            elif number == sandbox.DECLINE_CARD:
                return _finish(charge, SandboxCharge.Status.DECLINED, number[-4:], sandbox.DECLINE_CARD_REASON)
            else:
                return _finish(charge, SandboxCharge.Status.SUCCEEDED, number[-4:])
    return render(request, "payments/sandbox_pay.html", {"charge": charge, "errors": errors, "test_mode": True})


def sandbox_sbp(request, token):
    """The sandbox's stand-in for the payer's bank app after the СБП QR code is scanned: confirm or decline."""
    if not sandbox_allowed():
        raise Http404
    charge = get_object_or_404(SandboxCharge, token=token, method="sbp")
    if charge.status in (SandboxCharge.Status.SUCCEEDED, SandboxCharge.Status.DECLINED):
        return redirect(charge.return_url)
    if request.method == "POST":
        if request.POST.get("answer") == "confirm":
            return _finish(charge, SandboxCharge.Status.SUCCEEDED)
        return _finish(charge, SandboxCharge.Status.DECLINED, reason="general_decline")
    return render(request, "payments/sandbox_sbp.html", {"charge": charge, "test_mode": True})


@login_required
def autopay_page(request):
    """Auto-pay of the user's accounts: turn on with a saved method, mode and monthly limit; turn off."""
    errors = []
    if request.method == "POST":
        try:
            autopay.autopay_enable(
                user=request.user,
                account_id=parse_id(request.POST.get("account", "")),
                method_payment_id=parse_id(request.POST.get("method", "")),
                mode=request.POST.get("mode", ""),
                limit_text=request.POST.get("limit", ""),
            )
            return redirect("payments:autopay")
        except services.PaymentError as exc:
            errors.append(str(exc))
    context = {
        "errors": errors,
        "links": list(access.payable_links(request.user).select_related("account")),
        "methods": autopay.saved_methods(request.user),
        "autopays": access.own_autopays(request.user),
        "modes": AutoPay.Mode.choices,
        "posted": request.POST,
    }
    return render(request, "payments/autopay.html", context, status=400 if errors else 200)


@login_required
@require_POST
def autopay_off(request, pk):
    if not autopay.autopay_disable(user=request.user, pk=pk):
        raise Http404  # another's, or already off
    return redirect("payments:autopay")
