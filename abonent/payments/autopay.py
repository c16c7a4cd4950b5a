"""Auto-pay: a subscriber lets the provider charge a saved card or СБП subscription (we keep only the provider's
method id) for an account, on each new receipt or a day before the due date, up to a monthly limit.

Per account and published period there is one AutoPayCharge row, claimed before anything is sent or charged (a
unique constraint), and its charge is claimed by a conditional UPDATE: however many runs race, the account is
charged once for the period. The letter with the amount and the cancel link goes NOTICE_DAYS before the charge;
the amount is never above the limit left in the month or the amount due at the moment of the charge. A declined
charge is mailed and tried again on the next runs, at most AutoPay.max_attempts times. Turning auto-pay off
takes effect at once: the charge's claim requires it to be on.
"""

import datetime as dt
import logging
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from abonent.billing.models import BillingPeriod
from abonent.billing.penalties import due_date
from abonent.lib.dates import month_label
from abonent.lib.site import site_url
from abonent.orgs.dates import month_start

from . import access, fiscal, providers, selectors, services
from .decline_reasons import decline_text
from .models import AutoPay, AutoPayCharge, Payment
from .services import PaymentError

log = logging.getLogger(__name__)
NOTICE_DAYS = 3
Status = AutoPayCharge.Status


def parse_limit(text: str) -> Decimal:
    """The monthly limit typed by the subscriber: roubles and kopecks, above zero."""
    cleaned = (text or "").strip()
    if cleaned.startswith("-"):
        raise PaymentError("Лимит автоплатежа должен быть больше нуля.")
    try:
        value = services.parse_amount(cleaned)
    except PaymentError as exc:
        if "больше нуля" in str(exc):
            raise PaymentError("Лимит автоплатежа должен быть больше нуля.") from exc
        raise PaymentError("Лимит указывается в рублях и копейках, например 5000 или 4500,50.") from exc
    return value


def saved_methods(user) -> list[Payment]:
    """The user's credited payments that saved a card or СБП subscription at the provider, one per method."""
    seen, found = set(), []
    for p in access.own_payments(user).exclude(method_id="").filter(status=Payment.Status.CREDITED):
        if p.method_id not in seen:
            seen.add(p.method_id)
            found.append(p)
    return found


def autopay_enable(*, user, account_id: int, method_payment_id: int, mode: str, limit_text: str) -> AutoPay:
    limit = parse_limit(limit_text)
    if mode not in AutoPay.Mode.values:
        raise PaymentError("Выберите, когда списывать: при новой квитанции или за день до срока оплаты.")
    link = access.payable_links(user).filter(account_id=account_id).select_related("account").first()
    if link is None:
        raise PaymentError("Лицевой счёт не найден среди ваших.")
    method = next((p for p in saved_methods(user) if p.pk == method_payment_id), None)
    if method is None:
        raise PaymentError("Сохранённый способ оплаты не найден: оплатите один раз с отметкой «Запомнить».")
    with transaction.atomic():
        AutoPay.objects.filter(account_id=account_id, active=True).update(active=False)
        return AutoPay.objects.create(
            user=user,
            account=link.account,
            provider=method.provider,
            channel=method.channel,
            method_id=method.method_id,
            method_title=f"{method.get_channel_display()} (платёж от {method.paid_on:%d.%m.%Y})",
            mode=mode,
            monthly_limit=limit,
            max_attempts=getattr(settings, "PAYMENTS_AUTOPAY_ATTEMPTS", 3),
        )


def autopay_disable(*, user, pk: int) -> bool:
    """Off at once: the auto-pay and its charges not yet made (a charge already claimed has been sent)."""
    with transaction.atomic():
        changed = AutoPay.objects.filter(pk=pk, user=user, active=True).update(active=False)
        AutoPayCharge.objects.filter(
            autopay_id=pk, autopay__user=user, status__in=[Status.ANNOUNCED, Status.FAILED]
        ).update(status=Status.CANCELLED)
    return bool(changed)


def charge_day(autopay: AutoPay, period: BillingPeriod) -> dt.date:
    org = autopay.account.organisation
    if autopay.mode == AutoPay.Mode.BEFORE_DUE:
        return due_date(org, period.month) - dt.timedelta(days=1)
    published = timezone.localtime(period.published_at, org.tz).date()
    return published + dt.timedelta(days=NOTICE_DAYS)


def limit_left(autopay: AutoPay, month: dt.date, exclude_pk: int | None = None) -> Decimal:
    """The monthly limit less what auto-pay already charged (or is charging) in the month of the charge."""
    used = (
        AutoPayCharge.objects.filter(
            account=autopay.account,
            charge_on__gte=month,
            charge_on__lt=(month + dt.timedelta(days=32)).replace(day=1),
            status__in=[Status.SUCCEEDED, Status.CHARGING],
        )
        .exclude(pk=exclude_pk)
        .aggregate(total=Sum("amount"))["total"]
    )
    return autopay.monthly_limit - (used or Decimal("0"))


def _latest_published(organisation_id: int) -> BillingPeriod | None:
    return (
        BillingPeriod.objects.filter(
            organisation_id=organisation_id, state=BillingPeriod.State.PUBLISHED, published_at__isnull=False
        )
        .order_by("-month")
        .first()
    )


def _announce(autopay: AutoPay, today: dt.date) -> str:
    period = _latest_published(autopay.account.organisation_id)
    if period is None or AutoPayCharge.objects.filter(account=autopay.account, period=period).exists():
        return "none"
    # The letter always goes NOTICE_DAYS before the charge, also when auto-pay was turned on late.
    charge_on = max(charge_day(autopay, period), today + dt.timedelta(days=NOTICE_DAYS))
    if today < charge_on - dt.timedelta(days=NOTICE_DAYS):
        return "none"
    debt = selectors.debts([autopay.account_id]).get(autopay.account_id, Decimal("0"))
    amount = min(debt, limit_left(autopay, month_start(charge_on)))
    status = Status.ANNOUNCED if amount > 0 else Status.SKIPPED
    try:
        with transaction.atomic():
            row = AutoPayCharge.objects.create(
                autopay=autopay,
                account=autopay.account,
                period=period,
                amount=max(amount, 0),
                charge_on=charge_on,
                status=status,
            )
    except IntegrityError:
        return "none"  # another run announced it
    if status == Status.ANNOUNCED:
        _mail(autopay, "payments/email/autopay_notice", {"row": row, "period_label": month_label(period.month)})
    return "announced" if status == Status.ANNOUNCED else "skipped"


def _claim(row: AutoPayCharge) -> bool:
    """Take the charge for this run. The UPDATE names only the row's own columns: a condition through a join
    (Django writes it as `pk IN (subquery)`) is not re-checked by PostgreSQL against the row another run has just
    claimed, so two runs could both take it. Whether auto-pay is still on is asked apart, before."""
    if not AutoPay.objects.filter(pk=row.autopay_id, active=True).exists():
        return False
    claimed = bool(
        AutoPayCharge.objects.filter(
            pk=row.pk, status__in=[Status.ANNOUNCED, Status.FAILED], attempts__lt=row.autopay.max_attempts
        ).update(status=Status.CHARGING)
    )
    if claimed:
        # The row was read before the claim: another run may have made an attempt since (and failed it), so the
        # attempt's number, which names the payment, is read again now that this run holds the row.
        row.refresh_from_db(fields=["attempts", "amount", "status", "last_error"])
    return claimed


def _charge(row: AutoPayCharge) -> str:
    """One attempt of a claimed charge: never above the amount announced, the limit left or the amount due now."""
    autopay = row.autopay
    debt = selectors.debts([row.account_id]).get(row.account_id, Decimal("0"))
    amount = min(row.amount, debt, limit_left(autopay, month_start(row.charge_on), exclude_pk=row.pk))
    if amount <= 0:
        AutoPayCharge.objects.filter(pk=row.pk).update(status=Status.SKIPPED, amount=0)
        return "skipped"
    account = row.account
    order = uuid.uuid4()
    draft = fiscal.draft_for([(account, amount)], email=autopay.user.email, phone=autopay.user.phone)
    with transaction.atomic():
        payment = Payment.objects.create(
            organisation_id=account.organisation_id,
            account=account,
            user=autopay.user,
            amount=amount,
            channel=autopay.channel,
            provider=autopay.provider,
            order=order,
            external_id=f"autopay:{row.pk}:{row.attempts + 1}",
            paid_on=account.organisation.today(),
            status=Payment.Status.PROCESSING,
        )
        fiscal.receipt_create(payment=payment, draft=draft)
    outcome = providers.get_provider(autopay.provider).charge_saved(
        order=str(order),
        amount=amount,
        method_id=autopay.method_id,
        description=f"Автоплатёж ЖКУ, л/с {account.number}",
        receipt=draft,
    )
    Payment.objects.filter(pk=payment.pk).update(provider_payment_id=outcome.provider_payment_id)
    return _settle(row, payment, outcome, amount)


def _settle(row: AutoPayCharge, payment: Payment, outcome, amount: Decimal) -> str:
    payment.refresh_from_db()
    if outcome.status == providers.SUCCEEDED:
        services.payment_credit(payment=payment, details="автоплатёж")
        AutoPayCharge.objects.filter(pk=row.pk).update(status=Status.SUCCEEDED, payment=payment, amount=amount)
        return "charged"
    if outcome.status == providers.PENDING:
        # The provider answers later (its notification credits the payment); the period's charge is made.
        AutoPayCharge.objects.filter(pk=row.pk).update(status=Status.SUCCEEDED, payment=payment, amount=amount)
        return "charged"
    reason = decline_text(outcome.reason)
    services.payment_decline(payment=payment, reason=reason)
    attempts = row.attempts + 1
    gave_up = attempts >= row.autopay.max_attempts
    AutoPayCharge.objects.filter(pk=row.pk).update(
        status=Status.GAVE_UP if gave_up else Status.FAILED, attempts=attempts, last_error=reason[:300], payment=payment
    )
    row.attempts, row.last_error = attempts, reason
    _mail(row.autopay, "payments/email/autopay_failed", {"row": row, "gave_up": gave_up})
    return "failed"


def autopay_run(*, today: dt.date | None = None) -> dict[str, int]:
    """The scheduled job (payments.tasks.autopay_run, or the autopay_run command): letters for new periods, then
    the charges that are due. Safe to run any number of times, also at once."""
    counts = {"announced": 0, "skipped": 0, "charged": 0, "failed": 0, "none": 0}
    for autopay in AutoPay.objects.filter(active=True).select_related("account__organisation", "user"):
        counts[_announce(autopay, today or autopay.account.organisation.today())] += 1
    due = AutoPayCharge.objects.filter(status__in=[Status.ANNOUNCED, Status.FAILED], autopay__active=True)
    for row in due.select_related("autopay__user", "account__organisation").order_by("pk"):
        if row.charge_on > (today or row.account.organisation.today()) or not _claim(row):
            continue
        counts[_charge(row)] += 1
    return counts


def _mail(autopay: AutoPay, template: str, context: dict) -> None:
    """The auto-pay letters are part of the service the subscriber turned on (money leaves their card), so they
    go whatever the optional-letter settings say; sent after commit."""
    if not autopay.user.email:
        return
    context = {
        "SITE_NAME": "Абонент",
        "autopay": autopay,
        "account": autopay.account,
        "cancel_url": site_url() + reverse("payments:autopay"),
        **context,
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject, render_to_string(f"{template}_body.txt", context), settings.DEFAULT_FROM_EMAIL, [autopay.user.email]
    )
    transaction.on_commit(message.send, robust=True)
