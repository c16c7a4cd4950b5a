"""Payments: a card payment on the provider's page, a line of a bank registry, a payment at the cash desk.

A payment enters the ledger (billing.ledger.ledger_post_payment) exactly once, when it becomes "credited";
the move to "credited" is a conditional UPDATE, so however many notifications race, one of them wins.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abonent.lib.numbers import money

MONEY = {"max_digits": 14, "decimal_places": 2}


class Payment(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("Создан")
        PROCESSING = "processing", _("В обработке")
        CREDITED = "credited", _("Зачислен")
        DECLINED = "declined", _("Отклонён")
        CANCELLED = "cancelled", _("Отменён")

    class Channel(models.TextChoices):
        CARD = "card", _("Банковская карта")
        BANK = "bank", _("Банковский реестр")
        CASH = "cash", _("Касса")

    organisation = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, related_name="payments", verbose_name=_("организация")
    )
    account = models.ForeignKey(
        "housing.PersonalAccount", models.PROTECT, related_name="payments", verbose_name=_("лицевой счёт")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("плательщик в кабинете"),
    )
    amount = models.DecimalField(_("сумма"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    channel = models.CharField(_("способ"), max_length=8, choices=Channel.choices)
    provider = models.CharField(_("провайдер"), max_length=16, blank=True)
    status = models.CharField(_("состояние"), max_length=12, choices=Status.choices, default=Status.CREATED)
    # The card checkout several accounts are paid in at once: one provider payment, one Payment per account.
    order = models.UUIDField(_("заказ"), default=uuid.uuid4, db_index=True)
    provider_payment_id = models.CharField(_("id у провайдера"), max_length=64, blank=True, db_index=True)
    # Identity of the payment in its channel (the ledger's idempotency key is built from it).
    external_id = models.CharField(_("внешний идентификатор"), max_length=100)
    paid_on = models.DateField(_("дата оплаты"))
    payer_name = models.CharField(_("плательщик"), max_length=200, blank=True)
    # The month the payer named as paid for (first day), read from a bank registry's period column, and the service
    # chosen on the pay page: the ledger allocates the payment by them (billing/allocation.py). Empty — none named.
    named_period = models.DateField(_("период, указанный плательщиком"), null=True, blank=True)
    service = models.ForeignKey(
        "billing.Service",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("услуга, указанная плательщиком"),
    )
    registry = models.ForeignKey(
        "payments.Registry",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("реестр"),
    )
    created_at = models.DateTimeField(_("создан"), default=timezone.now)
    credited_at = models.DateTimeField(_("зачислен"), null=True, blank=True)
    decline_reason = models.CharField(_("причина отказа"), max_length=200, blank=True)
    cancel_reason = models.CharField(_("причина отмены"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("принял")
    )

    class Meta:
        verbose_name = _("платёж")
        verbose_name_plural = _("платежи")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="payment_external_id_unique_per_channel"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {money(self.amount)} → {self.account}"

    @property
    def ledger_source(self) -> str:
        return f"payments.{self.channel}"


class PaymentEvent(models.Model):
    """The audit trail of a payment: every change of state, who made it and why."""

    payment = models.ForeignKey(Payment, models.CASCADE, related_name="events", verbose_name=_("платёж"))
    at = models.DateTimeField(_("время"), default=timezone.now)
    status = models.CharField(_("состояние"), max_length=12, choices=Payment.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("кто")
    )
    details = models.TextField(_("подробности"), blank=True)

    class Meta:
        verbose_name = _("событие платежа")
        verbose_name_plural = _("события платежей")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.at:%d.%m.%Y %H:%M}"


class PayPoint(models.Model):
    """Other ways to pay, kept by operators: a bank's site, an office, an ATM or terminal."""

    class Kind(models.TextChoices):
        BANK_LINK = "bank_link", _("Сайт банка")
        OFFICE = "office", _("Офис")
        ATM = "atm", _("Банкомат / терминал")

    organisation = models.ForeignKey(
        "orgs.Organisation", models.CASCADE, related_name="pay_points", verbose_name=_("организация")
    )
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("название"), max_length=200)
    url = models.URLField(_("ссылка"), blank=True)
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    hours = models.CharField(_("часы работы"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("порядок"), default=100)

    class Meta:
        verbose_name = _("способ оплаты")
        verbose_name_plural = _("другие способы оплаты")
        ordering = ["kind", "sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Registry(models.Model):
    """An imported bank payment registry: the file's reconciled summary and what became of its lines."""

    organisation = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, related_name="payment_registries", verbose_name=_("организация")
    )
    file_name = models.CharField(_("файл"), max_length=255)
    layout = models.CharField(_("формат"), max_length=32)
    sha256 = models.CharField(_("контрольная сумма"), max_length=64)
    lines = models.PositiveIntegerField(_("строк"), default=0)
    total = models.DecimalField(_("сумма"), **MONEY, default=Decimal("0"))
    created = models.PositiveIntegerField(_("новых платежей"), default=0)
    duplicates = models.PositiveIntegerField(_("уже загружено"), default=0)
    unmatched = models.PositiveIntegerField(_("не сопоставлено"), default=0)
    imported_at = models.DateTimeField(_("загружен"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("кто")
    )

    class Meta:
        verbose_name = _("реестр платежей")
        verbose_name_plural = _("реестры платежей")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class UnmatchedLine(models.Model):
    """A registry line whose account is unknown: kept to be resolved by hand."""

    registry = models.ForeignKey(Registry, models.CASCADE, related_name="unmatched_lines", verbose_name=_("реестр"))
    organisation = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, related_name="+", verbose_name=_("организация")
    )
    external_id = models.CharField(_("идентификатор платежа"), max_length=100, unique=True)
    account_number = models.CharField(_("лицевой счёт в реестре"), max_length=60)
    payer_name = models.CharField(_("плательщик"), max_length=200, blank=True)
    amount = models.DecimalField(_("сумма"), **MONEY)
    paid_on = models.DateField(_("дата оплаты"))
    named_period = models.DateField(_("период, указанный плательщиком"), null=True, blank=True)
    raw = models.TextField(_("строка"), blank=True)
    payment = models.OneToOneField(
        Payment, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("платёж")
    )

    class Meta:
        verbose_name = _("несопоставленная строка")
        verbose_name_plural = _("несопоставленные строки реестров")
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.account_number}: {money(self.amount)}"


class SandboxCharge(models.Model):
    """The built-in sandbox acquirer's own record of a charge (what a real acquirer keeps on its side)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Ожидает оплаты")
        WAITING_3DS = "waiting_3ds", _("Ожидает 3-D Secure")
        SUCCEEDED = "succeeded", _("Успешно")
        DECLINED = "declined", _("Отклонено")

    token = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(**MONEY)
    description = models.CharField(max_length=300, blank=True)
    return_url = models.CharField(max_length=500)
    notify_url = models.CharField(max_length=500)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    card_last4 = models.CharField(max_length=4, blank=True)
    # YooKassa's cancellation reason code of a declined charge (decline_reasons), reported in the notification.
    decline_reason = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("платёж песочницы")
        verbose_name_plural = _("платежи песочницы")

    def __str__(self) -> str:
        return f"{self.token}: {money(self.amount)} ({self.get_status_display()})"


class PaymentDueNotice(models.Model):
    """The "amount due, pay here" e-mail of one user for one account and published period: the row is claimed
    before sending, so a rerun of publish or of the mailing never sends it twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("пользователь"))
    account = models.ForeignKey(
        "housing.PersonalAccount", models.CASCADE, related_name="+", verbose_name=_("лицевой счёт")
    )
    period = models.ForeignKey("billing.BillingPeriod", models.CASCADE, related_name="+", verbose_name=_("период"))
    amount = models.DecimalField(_("к оплате"), **MONEY)
    sent_at = models.DateTimeField(_("отправлено"), default=timezone.now)

    class Meta:
        verbose_name = _("напоминание об оплате")
        verbose_name_plural = _("напоминания об оплате")
        constraints = [
            models.UniqueConstraint(fields=["user", "account", "period"], name="payment_due_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.period} → {self.user}"
