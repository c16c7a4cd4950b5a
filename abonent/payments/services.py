"""Writes of the payments app. A payment reaches the ledger only through `payment_credit`, whose conditional UPDATE
(created/processing → credited) lets exactly one of any number of racing callers post it; the ledger's own
idempotency key (source, external id) is the second lock on the same door."""

import contextlib
import logging
import re
import uuid
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from abonent.billing import ledger
from abonent.billing.models import AccountBalance, BillingPeriod, Service
from abonent.lib.site import site_url
from abonent.notifications.emails import optional_message, send_optional
from abonent.notifications.models import Kind
from abonent.notifications.selectors import opted_out_user_ids
from abonent.orgs.dates import month_label
from abonent.users.models import AccountLink

from . import amount_cap, fiscal, providers, selectors
from .decline_reasons import decline_text
from .models import Payment, PaymentDueNotice, PaymentEvent

log = logging.getLogger(__name__)

OPEN = (Payment.Status.CREATED, Payment.Status.PROCESSING)
ONLINE = (Payment.Channel.CARD, Payment.Channel.SBP)


class PaymentError(Exception):
    """A refusal to show the user, in Russian."""


AMOUNT_RE = re.compile(r"^\d{1,11}([.,]\d{1,2})?$", re.ASCII)  # 0-9 only: \d would take «１２３»


def parse_amount(text: str) -> Decimal:
    """ "123,45", "123.45", "1 234,5" → Decimal; refuse anything else, zero and negatives."""
    cleaned = (text or "").replace("\u00a0", "").replace(" ", "").strip()
    if not AMOUNT_RE.match(cleaned):
        raise PaymentError("Сумма указывается в рублях и копейках, например 123,45.")
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards
        raise PaymentError("Сумма указывается в рублях и копейках, например 123,45.") from exc
    if value <= 0:
        raise PaymentError("Сумма оплаты должна быть больше нуля.")
    return value


def _event(payment_id: int, status: str, *, actor=None, details: str = "") -> None:
    PaymentEvent.objects.create(payment_id=payment_id, status=status, actor=actor, details=details)


def payment_checkout(
    *,
    user,
    items,
    return_url: str,
    notify_url: str,
    provider_name: str | None = None,
    method: str = providers.CARD,
    save_method: bool = False,
    services=None,
):
    """Start one card or СБП payment for several accounts: a Payment per account sharing an order, one provider
    payment for the sum, with its 54-ФЗ receipt. Returns (order, redirect URL); for СБП the URL is our page with
    the QR code. `items` is [(account, amount)]; the caller checked the user's right to each account.
    `services` — {account id: service id} for an account paid for one service alone."""
    if not items:
        raise PaymentError("Выберите хотя бы один лицевой счёт и укажите сумму.")
    if method not in (providers.CARD, providers.SBP):
        raise PaymentError("Неизвестный способ оплаты.")
    services = services or {}
    _refuse_over_cap(items)
    _refuse_foreign_services(items, services)
    provider = providers.get_provider(provider_name)
    order = uuid.uuid4()
    draft = fiscal.draft_for(items, email=getattr(user, "email", "") or "", phone=getattr(user, "phone", "") or "")
    if not (draft.email or draft.phone):
        # 54-ФЗ: an online payment's receipt is sent to the buyer; without an address there is nowhere to send it.
        raise PaymentError("Для кассового чека нужен e-mail или телефон: укажите его в профиле и оплатите снова.")
    with transaction.atomic():
        payments = _create_order(user, items, order, provider.name, method, save_method, services)
        numbers = ", ".join(a.number for a, _ in items)
        started = provider.start(
            order=str(order),
            amount=draft.total,
            description=f"Оплата ЖКУ, л/с {numbers}",
            return_url=return_url.replace("__order__", str(order)),
            notify_url=notify_url,
            payer_email=draft.email,
            receipt=draft,
            method=method,
            save_method=save_method,
        )
        fiscal.receipt_create(payment=payments[0], draft=draft)
        # Shown at once as "В обработке": the payer is on the provider's page (or before the СБП QR code).
        Payment.objects.filter(order=order).update(
            provider_payment_id=started.provider_payment_id,
            status=Payment.Status.PROCESSING,
            sbp_payload=started.sbp_payload[:500],
        )
        for p in payments:
            _event(
                p.pk, Payment.Status.PROCESSING, actor=user, details=f"{provider.name} {started.provider_payment_id}"
            )
    if method == providers.SBP:
        return order, reverse("payments:sbp", args=[order])
    return order, started.redirect_url


def _create_order(
    user, items, order, provider_name: str, method: str, save_method: bool, services: dict
) -> list[Payment]:
    payments = []
    for account, amount in items:
        p = Payment.objects.create(
            organisation_id=account.organisation_id,
            account=account,
            user=user,
            amount=amount,
            channel=Payment.Channel.SBP if method == providers.SBP else Payment.Channel.CARD,
            provider=provider_name,
            order=order,
            external_id=f"{order}:{account.pk}",
            paid_on=account.organisation.today(),
            save_method=save_method,
            service_id=services.get(account.pk),
        )
        _event(p.pk, p.status, actor=user, details="создан в кабинете")
        payments.append(p)
    return payments


def _refuse_over_cap(items) -> None:
    """The cap is the service's own rule, whoever calls it (the pay page, a script, a future API)."""
    owed = selectors.debts([account.pk for account, _ in items])
    for account, amount in items:
        if amount <= 0:
            raise PaymentError("Сумма оплаты должна быть больше нуля.")
        message = amount_cap.refusal(number=account.number, amount=amount, debt=owed.get(account.pk, Decimal("0")))
        if message:
            raise PaymentError(message)


def _refuse_foreign_services(items, services: dict) -> None:
    """A service named for an account is one of its organisation's services, whoever calls."""
    for account, _ in items:
        service_id = services.get(account.pk)
        if service_id and not Service.objects.filter(pk=service_id, organisation_id=account.organisation_id).exists():
            raise PaymentError(f"Л/С № {account.number}: такой услуги у организации нет.")


def payment_credit(*, payment: Payment, actor=None, details: str = "") -> bool:
    """Move the payment to "credited" and post it to the ledger; True if this call did it, False if someone else
    already had (or it was declined or cancelled)."""
    with transaction.atomic():
        changes = {"status": Payment.Status.CREDITED, "credited_at": timezone.now()}
        if payment.channel in ONLINE:
            # A card payment is paid when the acquirer confirms it, which may be a day after the checkout.
            changes["paid_on"] = payment.organisation.today()
        won = Payment.objects.filter(pk=payment.pk, status__in=OPEN).update(**changes)
        if not won:
            return False
        payment.refresh_from_db()
        ledger.ledger_post_payment(
            account=payment.account,
            amount=payment.amount,
            paid_on=payment.paid_on,
            source=payment.ledger_source,
            external_id=payment.external_id,
            service_id=payment.service_id,
            named_month=payment.named_period,
        )
        _event(payment.pk, Payment.Status.CREDITED, actor=actor, details=details)
        _notify_credited(payment)  # queued on commit: a rolled-back credit tells no one
        if payment.channel in ONLINE and payment.provider:
            _keep_saved_method(payment)
            order = payment.order
            transaction.on_commit(lambda: fiscal.order_register(order), robust=True)
    return True


def _keep_saved_method(payment: Payment) -> None:
    """The provider's id of the card / СБП subscription the payer asked to keep, for auto-pay (nothing else of it
    is kept)."""
    if not payment.save_method or payment.method_id:
        return
    method_id = providers.get_provider(payment.provider).saved_method(payment.provider_payment_id)
    if method_id:
        Payment.objects.filter(pk=payment.pk).update(method_id=method_id[:64])


def _pay_url() -> str:
    return site_url() + reverse("payments:pay")


def _notify_credited(payment: Payment) -> None:
    links = AccountLink.objects.filter(account_id=payment.account_id, user__is_active=True).exclude(user__email="")
    for link in links.select_related("user", "account"):
        send_optional(
            user=link.user,
            kind=Kind.PAYMENT,
            template="payments/email/payment_credited",
            context={"payment": payment, "account": link.account, "url": _pay_url()},
        )


def payment_due_links(period: BillingPeriod):
    """The links that get the period's payment-due letter: active users with an e-mail, linked to an account
    that owes money after the period, who did not turn receipt e-mails off."""
    due = AccountBalance.objects.filter(account_id=OuterRef("account_id"), period=period).values("closing")[:1]
    return (
        AccountLink.objects.filter(account__organisation_id=period.organisation_id, user__is_active=True)
        .exclude(user__email="")
        .exclude(user_id__in=opted_out_user_ids(Kind.RECEIPT))
        .annotate(due=Subquery(due))
        .filter(due__gt=0)
        .order_by("pk")
    )


def payment_due_send(*, period: BillingPeriod, link_ids: list[int] | None = None, progress=None) -> dict[str, int]:
    """After a period is published: e-mail each user linked to an account that owes money the amount due and the
    link to pay, once per user, account and period (a PaymentDueNotice row is claimed first, so a rerun sends
    nothing twice). Users who turned receipt e-mails off get none. A letter the mail server refuses gives its
    claim back and is tried again by the next run; the others go on. `link_ids`: only these links (a chunk of the
    mailing job); `progress(n)`: n more letters handled. Returns {"sent", "skipped", "failed"}."""
    links = payment_due_links(period).select_related("user", "account")
    if link_ids is not None:
        links = links.filter(pk__in=link_ids)
    context = {"period": period, "period_label": month_label(period.month), "url": _pay_url()}
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    for link in links.iterator(chunk_size=2000):
        counts[_payment_due_letter(link, period, context)] += 1
        if progress is not None:
            progress(1)
    return counts


def _payment_due_letter(link, period: BillingPeriod, context: dict) -> str:
    """One letter: claimed, then sent; which count it adds to."""
    try:
        with transaction.atomic():
            notice = PaymentDueNotice.objects.create(
                user_id=link.user_id, account_id=link.account_id, period=period, amount=link.due
            )
    except IntegrityError:
        return "skipped"  # sent by an earlier run (or cut off mid-send: it may have gone, never twice)
    message = optional_message(
        user=link.user,
        kind=Kind.RECEIPT,
        template="payments/email/payment_due",
        context={**context, "account": link.account, "amount": link.due},
    )
    if message is None:  # turned off since the query ran
        notice.delete()
        return "skipped"
    try:
        message.send()
    except Exception as exc:  # SMTP errors of every kind: the claim is given back for the next run
        log.warning("payment-due e-mail to %s failed: %s", link.user.email, exc)
        notice.delete()
        return "failed"
    return "sent"


def payment_decline(*, payment: Payment, reason: str = "", actor=None) -> bool:
    with transaction.atomic():
        won = Payment.objects.filter(pk=payment.pk, status__in=OPEN).update(
            status=Payment.Status.DECLINED, decline_reason=reason[:200]
        )
        if won:
            _event(payment.pk, Payment.Status.DECLINED, actor=actor, details=reason)
    return bool(won)


def provider_status_apply(
    *,
    provider_name: str,
    provider_payment_id: str,
    status: str,
    via: str,
    reason_code: str = "",
    amount: Decimal | None = None,
) -> int:
    """Apply a provider's verdict to every payment of its order; returns how many changed. Any order of arrival,
    any number of repetitions: only created/processing payments move, so a late "pending" changes nothing.
    A decline keeps the provider's reason in Russian (decline_reasons), the one the subscriber is shown."""
    changed = 0
    payments = list(
        Payment.objects.filter(provider=provider_name, provider_payment_id=provider_payment_id).select_related(
            "account", "organisation"
        )
    )
    _refuse_other_amount(payments, status, amount)
    for p in payments:
        if status == providers.SUCCEEDED:
            changed += payment_credit(payment=p, details=via)
        elif status == providers.DECLINED:
            changed += payment_decline(payment=p, reason=decline_text(reason_code))
    return changed


def _refuse_other_amount(payments: list[Payment], status: str, amount: Decimal | None) -> None:
    """A success for another sum than the order's is not believed: nothing is credited (the order stays open and
    an operator sees the warning), whatever the notification's signature."""
    if status != providers.SUCCEEDED or amount is None or not payments:
        return
    expected = sum((p.amount for p in payments), Decimal("0"))
    if Decimal(amount) != expected:
        log.warning("payment %s: notified %s, ordered %s", payments[0].provider_payment_id, amount, expected)
        raise providers.NotificationRejected("amount mismatch")


def notification_handle(*, provider_name: str, body: bytes, headers) -> int:
    """An incoming provider notification: authenticated by the provider, then applied idempotently."""
    provider = providers.get_provider(provider_name)
    payment_id, status, reason_code, *rest = provider.parse_notification(body, headers)
    return provider_status_apply(
        provider_name=provider_name,
        provider_payment_id=payment_id,
        status=status,
        via="уведомление",
        reason_code=reason_code,
        amount=rest[0] if rest else None,
    )


def order_refresh(*, order) -> None:
    """The payer is back before the notification: ask the provider, and settle the order if it has an answer."""
    first = Payment.objects.filter(order=order, status__in=OPEN).exclude(provider_payment_id="").first()
    if first is None:
        return
    try:
        provider = providers.get_provider(first.provider)
    except providers.ProviderDisabled:
        return  # a sandbox payment on a site where the sandbox is now off: it stays as it is, nothing credited
    status, reason_code, amount = provider.fetch_details(first.provider_payment_id)
    if status == providers.PENDING:
        return
    # Another sum than ordered raises NotificationRejected: left open, as for the notification (the check logs it).
    with contextlib.suppress(providers.NotificationRejected):
        provider_status_apply(
            provider_name=first.provider,
            provider_payment_id=first.provider_payment_id,
            status=status,
            via="возврат",
            reason_code=reason_code,
            amount=amount,
        )


DESK = (Payment.Channel.CASH, Payment.Channel.TERMINAL)


def payment_cash_create(
    *,
    account,
    amount: Decimal,
    paid_on,
    actor,
    payer_name: str = "",
    channel: str = Payment.Channel.CASH,
    service_id: int | None = None,
    named_period=None,
    key: str | None = None,
) -> Payment:
    """A payment taken at the cash desk (cash or a card through the counter's terminal): credited at once, for the
    service or month the payer named if any (the ledger allocates by them). `key` — the desk form's token: the same
    form sent twice (a double click, a resent page) returns the first payment and credits nothing more."""
    if channel not in DESK:
        raise PaymentError("В кассе принимают наличные или карту через терминал.")
    if service_id and not Service.objects.filter(pk=service_id, organisation_id=account.organisation_id).exists():
        raise PaymentError(f"Л/С № {account.number}: такой услуги у организации нет.")
    external_id = key or str(uuid.uuid4())
    if key and (taken := Payment.objects.filter(channel__in=DESK, external_id=key).first()):
        return taken
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                organisation_id=account.organisation_id,
                account=account,
                amount=amount,
                channel=channel,
                external_id=external_id,
                paid_on=paid_on,
                payer_name=payer_name,
                created_by=actor,
                service_id=service_id or None,
                named_period=named_period,
            )
            _event(payment.pk, payment.status, actor=actor, details="касса")
            payment_credit(payment=payment, actor=actor, details="касса")
    except IntegrityError:
        if key is None:
            raise
        return Payment.objects.get(channel=channel, external_id=key)  # the other click of the pair won the race
    payment.refresh_from_db()
    return payment


def payment_cancel(*, payment: Payment, reason: str, actor) -> Payment:
    """Cancel a payment with a reason. A credited one is reversed in the ledger by a negative payment entry in the
    period of the cancellation (the ledger is append-only; history keeps both)."""
    if not reason.strip():
        raise PaymentError("Укажите причину отмены платежа.")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("account__organisation").get(pk=payment.pk)
        if locked.status == Payment.Status.CANCELLED:
            return locked
        if locked.status == Payment.Status.DECLINED:
            raise PaymentError("Отклонённый платёж отменять не нужно.")
        was_credited = locked.status == Payment.Status.CREDITED
        Payment.objects.filter(pk=locked.pk).update(status=Payment.Status.CANCELLED, cancel_reason=reason[:300])
        if was_credited:
            ledger.ledger_reverse_payment(
                account=locked.account,
                amount=locked.amount,
                source=locked.ledger_source,
                external_id=locked.external_id,
            )
        _event(locked.pk, Payment.Status.CANCELLED, actor=actor, details=reason)
    locked.refresh_from_db()
    return locked


def unmatched_resolve(*, line, account, actor, service_code: str | None = None) -> Payment:
    """An operator matches an unmatched registry line to an account: it becomes a credited bank payment, for the
    service and the period the line named (as a line matched on import: billing.allocation pays them).
    `service_code`: the service the operator names instead of the line's (one the organisation lacks, corrected);
    "" — none, the payment is spread over the document."""
    if account.organisation_id != line.organisation_id:
        raise PaymentError("Лицевой счёт другой организации.")
    service = _named_service(line, line.service_code if service_code is None else service_code.strip())
    with transaction.atomic():
        locked = type(line).objects.select_for_update().get(pk=line.pk)
        if locked.payment_id:
            return locked.payment
        payment = Payment.objects.create(
            organisation_id=line.organisation_id,
            account=account,
            amount=line.amount,
            channel=Payment.Channel.BANK,
            external_id=line.external_id,
            paid_on=line.paid_on,
            payer_name=line.payer_name,
            named_period=line.named_period,
            service=service,
            registry_id=line.registry_id,
            created_by=actor,
        )
        _event(payment.pk, payment.status, actor=actor, details=f"сопоставлен вручную: {line.account_number}")
        payment_credit(payment=payment, actor=actor, details="реестр, сопоставлен вручную")
        locked.payment = payment
        locked.save(update_fields=["payment"])
    payment.refresh_from_db()
    return payment


def _named_service(line, code: str):
    """The organisation's service of this code; None for no code; a code it lacks is refused, nothing written."""
    if not code:
        return None
    service = Service.objects.filter(organisation_id=line.organisation_id, code=code).first()
    if service is None:
        raise PaymentError(
            f"Услуга с кодом «{code}» не найдена в организации: укажите код услуги организации или оставьте поле "
            "пустым, чтобы распределить платёж по квитанции."
        )
    return service
