"""54-ФЗ fiscal receipts of online payments and refunds.

Every payment by card or СБП and every refund of one gets a receipt (чек): the lines are the services of the
account's last published receipt, or one line «Оплата ЖКУ по л/с № … за <месяц>», as the organisation chose
(FiscalSettings.items); payment subject "service", payment mode "full payment", the VAT of each service
(ServiceFiscal.vat_code), the payer's e-mail or phone, and the agent tags on a line collected for another supplier.
The draft goes to the provider with the payment (YooKassa registers it at its register); once the payment is
credited the fiscal data (ФН, ФД, ФП) is read from the provider (the sandbox's emulated fiscal drive answers at
once), stored, and the receipt is e-mailed to the payer with the tax service's check QR code (t, s, fn, i, fp, n).
"""

import io
import logging
from decimal import Decimal

import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from abonent.billing.models import BillingPeriod, Charge, Service
from abonent.lib.dates import month_label
from abonent.lib.numbers import round_money
from abonent.lib.site import site_url

from . import providers
from .models import FiscalReceipt, FiscalSettings, Payment, Refund, ServiceFiscal, VatCode
from .providers import ReceiptDraft, ReceiptLine

log = logging.getLogger(__name__)
INCOME, REFUND = 1, 2  # the check's n: 1 приход, 2 возврат прихода


def settings_of(organisation_id: int) -> FiscalSettings:
    """The organisation's fiscal settings; the defaults (one line, no VAT) when none are kept."""
    return FiscalSettings.objects.filter(organisation_id=organisation_id).first() or FiscalSettings(
        organisation_id=organisation_id
    )


def _last_published(organisation_id: int) -> BillingPeriod | None:
    return (
        BillingPeriod.objects.filter(organisation_id=organisation_id, state=BillingPeriod.State.PUBLISHED)
        .order_by("-month")
        .first()
    )


def single_line(account, amount: Decimal, chosen: FiscalSettings, period: BillingPeriod | None) -> ReceiptLine:
    month = period.month if period else account.organisation.today().replace(day=1)
    text = f"Оплата ЖКУ по л/с № {account.number} за {month_label(month)}"
    return ReceiptLine(description=text, amount=amount, vat_code=chosen.vat_code)


def split(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`amount` in proportion to `weights`, each rounded to the kopeck, the rounding left on the last share so the
    lines add up to the payment exactly (the register refuses a receipt whose lines do not)."""
    total = sum(weights, Decimal("0"))
    shares = [round_money(amount * w / total) for w in weights[:-1]]
    return [*shares, amount - sum(shares, Decimal("0"))]


SUPPLIER_FIELDS = ("service__supplier__short_name", "service__supplier__inn", "service__supplier__phone")


def agent_supplier(row: dict, typed: ServiceFiscal) -> tuple[str, str, str]:
    """Whom a line is collected for (the agent tags 1224/1226): the service's supplier from the register when the
    organisation collects for it as an agent; the requisites typed on the service's fiscal settings otherwise (a
    supplier the register does not know). The organisation's own services carry no tags."""
    if row.get("service__payee") == Service.Payee.AGENT and row.get("service__supplier__inn"):
        return tuple(row[field] or "" for field in SUPPLIER_FIELDS)
    return typed.supplier_name, typed.supplier_inn, typed.supplier_phone


def service_lines(account, amount: Decimal, period: BillingPeriod | None) -> list[ReceiptLine]:
    """The services of the account's last published receipt, the amount paid shared in proportion to their
    charges. Empty when the account has no positive charges there (then the single line is used)."""
    if period is None:
        return []
    rows = list(
        Charge.objects.filter(account=account, period=period)
        .values("service_id", "service__name", "service__payee", *SUPPLIER_FIELDS)
        .annotate(total=Sum("amount"))
        .filter(total__gt=0)
        .order_by("service__sort_order", "service__name")
    )
    if not rows:
        return []
    fiscal = {f.service_id: f for f in ServiceFiscal.objects.filter(service_id__in=[r["service_id"] for r in rows])}
    shares = split(amount, [Decimal(r["total"]) for r in rows])
    lines = []
    for row, share in zip(rows, shares, strict=True):
        f = fiscal.get(row["service_id"]) or ServiceFiscal(vat_code=VatCode.NONE)
        name, inn, phone = agent_supplier(row, f)
        lines.append(
            ReceiptLine(
                description=f"{row['service__name']} (л/с № {account.number})",
                amount=share,
                vat_code=f.vat_code,
                supplier_name=name,
                supplier_inn=inn,
                supplier_phone=phone,
            )
        )
    return [line for line in lines if line.amount > 0]


def account_lines(account, amount: Decimal) -> list[ReceiptLine]:
    chosen = settings_of(account.organisation_id)
    period = _last_published(account.organisation_id)
    if chosen.items == FiscalSettings.Items.SERVICES:
        lines = service_lines(account, amount, period)
        if lines:
            return lines
    return [single_line(account, amount, chosen, period)]


def draft_for(items, *, email: str, phone: str = "", refund: bool = False) -> ReceiptDraft:
    """The receipt of a checkout (`items`: [(account, amount)]) for the payer's e-mail or phone."""
    lines = []
    for account, amount in items:
        lines.extend(account_lines(account, amount))
    tax_system = settings_of(items[0][0].organisation_id).tax_system_code if items else None
    return ReceiptDraft(tuple(lines), email=email, phone=phone, tax_system_code=tax_system, refund=refund)


def _line_json(line: ReceiptLine) -> dict:
    return {
        "description": line.description,
        "amount": f"{line.amount:.2f}",
        "vat_code": line.vat_code,
        "vat": str(VatCode(line.vat_code).label),
        "supplier_name": line.supplier_name,
        "supplier_inn": line.supplier_inn,
        "supplier_phone": line.supplier_phone,
    }


def draft_of(receipt: FiscalReceipt) -> ReceiptDraft:
    """A stored receipt's lines back as a draft (what the register is sent for a refund of the same lines)."""
    lines = tuple(
        ReceiptLine(
            description=i["description"],
            amount=Decimal(i["amount"]),
            vat_code=i["vat_code"],
            supplier_name=i.get("supplier_name", ""),
            supplier_inn=i.get("supplier_inn", ""),
            supplier_phone=i.get("supplier_phone", ""),
        )
        for i in receipt.items
    )
    return ReceiptDraft(lines, email=receipt.customer_email, phone=receipt.customer_phone)


def receipt_create(*, payment: Payment, draft: ReceiptDraft, refund: Refund | None = None) -> FiscalReceipt:
    return FiscalReceipt.objects.create(
        kind=FiscalReceipt.Kind.REFUND if refund else FiscalReceipt.Kind.INCOME,
        order=payment.order,
        payment=payment,
        refund=refund,
        user=payment.user,
        customer_email=draft.email,
        customer_phone=draft.phone,
        total=draft.total,
        items=[_line_json(line) for line in draft.lines],
    )


def refund_draft(payment: Payment, amount: Decimal) -> ReceiptDraft:
    """The refund's receipt: the payment's lines for this account, shared in proportion to the amount refunded."""
    income = FiscalReceipt.objects.filter(order=payment.order, kind=FiscalReceipt.Kind.INCOME).first()
    email = income.customer_email if income else (payment.user.email if payment.user else "")
    phone = income.customer_phone if income else ""
    lines = [line for line in draft_of(income).lines if payment.account.number in line.description] if income else []
    if not lines:
        lines = account_lines(payment.account, amount)
    shares = split(amount, [line.amount for line in lines])
    refunded = tuple(
        ReceiptLine(ln.description, s, ln.vat_code, ln.supplier_name, ln.supplier_inn, ln.supplier_phone)
        for ln, s in zip(lines, shares, strict=True)
        if s > 0
    )
    return ReceiptDraft(refunded, email=email, phone=phone, refund=True)


def receipt_register(receipt: FiscalReceipt, *, refund_id: str = "") -> bool:
    """Ask the provider for the receipt's fiscal data; store it and e-mail the receipt once. False while the
    register has not answered (YooKassa registers a moment after the payment; the next call asks again)."""
    if receipt.status == FiscalReceipt.Status.REGISTERED:
        return False
    provider = providers.get_provider(receipt.payment.provider)
    data = provider.fiscal_data(
        provider_payment_id=receipt.payment.provider_payment_id,
        refund_id=refund_id,
        total=receipt.total,
        at=timezone.now(),
    )
    if data is None:
        return False
    with transaction.atomic():
        won = FiscalReceipt.objects.filter(pk=receipt.pk, status=FiscalReceipt.Status.PENDING).update(
            status=FiscalReceipt.Status.REGISTERED,
            fn=data.fn,
            fd=data.fd,
            fp=data.fp,
            registered_at=data.registered_at,
        )
        if won:
            receipt.refresh_from_db()
            transaction.on_commit(lambda: receipt_email(receipt), robust=True)
    return bool(won)


def order_register(order) -> None:
    """After a checkout's payments are credited: its income receipt gets its fiscal data and goes to the payer."""
    if Payment.objects.filter(order=order).exclude(status=Payment.Status.CREDITED).exists():
        return  # another account of the same checkout is not credited yet; the last one registers
    receipt = (
        FiscalReceipt.objects.filter(order=order, kind=FiscalReceipt.Kind.INCOME).select_related("payment").first()
    )
    if receipt is not None:
        receipt_register(receipt)


def pending_register() -> int:
    """The scheduled catch-up: receipts whose register had not answered yet (returns how many were registered),
    and registered ones whose letter did not go (the mail server was down)."""
    unsent = FiscalReceipt.objects.filter(status=FiscalReceipt.Status.REGISTERED, emailed_at__isnull=True)
    for receipt in unsent.exclude(customer_email="").select_related("payment__organisation"):
        try:
            receipt_email(receipt)
        except Exception as exc:  # SMTP errors of every kind: tried again by the next run
            log.warning("fiscal receipt %s to %s: %s", receipt.pk, receipt.customer_email, exc)
    done = 0
    for receipt in FiscalReceipt.objects.filter(status=FiscalReceipt.Status.PENDING).select_related("payment"):
        if receipt.payment.status != Payment.Status.CREDITED:
            continue
        refund_id = receipt.refund.provider_refund_id if receipt.refund_id else ""
        done += receipt_register(receipt, refund_id=refund_id)
    return done


# --- the tax service's check QR and the letter ---


def check_payload(receipt: FiscalReceipt) -> str:
    """The text of the check QR code the tax service's app «Проверка чеков» reads: time, sum, ФН, ФД, ФП and
    the kind of operation (1 — приход, 2 — возврат прихода)."""
    local = timezone.localtime(receipt.registered_at, receipt.payment.organisation.tz)
    n = REFUND if receipt.kind == FiscalReceipt.Kind.REFUND else INCOME
    return f"t={local:%Y%m%dT%H%M}&s={receipt.total:.2f}&fn={receipt.fn}&i={receipt.fd}&fp={receipt.fp}&n={n}"


def qr_svg(receipt: FiscalReceipt) -> str:
    return qr_text_svg(check_payload(receipt))


def qr_text_svg(text: str) -> str:
    """Any text as an inline SVG QR code (the СБП link on the pay page)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False)
    return buffer.getvalue().decode()


def qr_png(receipt: FiscalReceipt) -> bytes:
    buffer = io.BytesIO()
    segno.make(check_payload(receipt), error="m").save(buffer, kind="png", scale=4, border=2)
    return buffer.getvalue()


def receipt_context(receipt: FiscalReceipt) -> dict:
    org = receipt.payment.organisation
    local = timezone.localtime(receipt.registered_at, org.tz) if receipt.registered_at else None
    return {
        "receipt": receipt,
        "organisation": org,
        "registered_local": local,
        "payload": check_payload(receipt) if receipt.fn else "",
        "url": site_url() + reverse("payments:fiscal_receipt", args=[receipt.pk]),
    }


def receipt_email(receipt: FiscalReceipt) -> bool:
    """The receipt to the payer's e-mail, with the check QR code as a picture. A mandatory letter (54-ФЗ: the
    buyer gets the receipt), so no opt-out; sent once, marked emailed_at."""
    if not receipt.customer_email:
        return False
    context = {"SITE_NAME": "Абонент", **receipt_context(receipt)}
    subject = " ".join(render_to_string("payments/email/fiscal_receipt_subject.txt", context).split())
    text = render_to_string("payments/email/fiscal_receipt_body.txt", context)
    html = render_to_string("payments/email/fiscal_receipt_body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [receipt.customer_email])
    message.attach_alternative(html, "text/html")
    message.attach(f"check-{receipt.fd}.png", qr_png(receipt), "image/png")
    message.send()
    FiscalReceipt.objects.filter(pk=receipt.pk).update(emailed_at=timezone.now())
    return True
