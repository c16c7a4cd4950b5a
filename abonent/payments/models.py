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
        SBP = "sbp", _("СБП")
        BANK = "bank", _("Банковский реестр")
        CASH = "cash", _("Касса")
        # A bank card through the POS terminal at the counter: the money comes with the acquirer's settlement, not
        # through an online provider, so nothing of the card flow (provider, refunds by API) applies.
        TERMINAL = "terminal", _("Карта через терминал в кассе")

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
    # The payer asked the provider to keep the card / СБП subscription for auto-pay: the provider's id of it is
    # all we keep (never card data).
    save_method = models.BooleanField(_("сохранить способ оплаты"), default=False)
    method_id = models.CharField(_("сохранённый способ у провайдера"), max_length=64, blank=True)
    # СБП: what the payer's bank app reads (the QR code's text, also the deep link on a phone).
    sbp_payload = models.CharField(_("ссылка СБП"), max_length=500, blank=True)

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
    """A registry line whose account (or the service it names) is unknown: kept to be resolved by hand."""

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
    # Why it was not credited (an unknown account, a service code the organisation does not have), in Russian.
    reason = models.CharField(_("причина"), max_length=300, blank=True)
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
    method = models.CharField(max_length=8, default="card")  # card or sbp: which page of the sandbox pays it
    save_method = models.BooleanField(default=False)
    refunded = models.DecimalField(**MONEY, default=Decimal("0"))
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


# --- 54-ФЗ fiscal receipts (fiscal.py) ---


class VatCode(models.IntegerChoices):
    """YooKassa's vat_code values (the same numbers as the tag 1199 of the fiscal data format)."""

    NONE = 1, _("без НДС")
    VAT0 = 2, _("НДС 0%")
    VAT10 = 3, _("НДС 10%")
    VAT20 = 4, _("НДС 20%")
    VAT10_110 = 5, _("НДС 10/110")
    VAT20_120 = 6, _("НДС 20/120")
    VAT5 = 7, _("НДС 5%")
    VAT7 = 8, _("НДС 7%")


class FiscalSettings(models.Model):
    """How an organisation's online payments are fiscalised. Kept by the payments app (not on Organisation) so
    the fiscal rules stay in one app; an organisation without a row gets the defaults (one line, no VAT)."""

    class Items(models.TextChoices):
        SERVICES = "services", _("По услугам последней квитанции")
        SINGLE = "single", _("Одной строкой «Оплата ЖКУ по л/с № … за <месяц>»")

    organisation = models.OneToOneField(
        "orgs.Organisation", models.CASCADE, related_name="fiscal_settings", verbose_name=_("организация")
    )
    items = models.CharField(_("строки чека"), max_length=10, choices=Items.choices, default=Items.SINGLE)
    vat_code = models.PositiveSmallIntegerField(
        _("НДС строки «Оплата ЖКУ»"), choices=VatCode.choices, default=VatCode.NONE
    )
    # Tag 1055; only third-party cash registers need it (YooKassa's own receipts ignore it).
    tax_system_code = models.PositiveSmallIntegerField(_("система налогообложения (1–6)"), null=True, blank=True)

    class Meta:
        verbose_name = _("настройки чеков 54-ФЗ")
        verbose_name_plural = _("настройки чеков 54-ФЗ")

    def __str__(self) -> str:
        return str(self.organisation)


class ServiceFiscal(models.Model):
    """A service's VAT in the fiscal receipt and, when the organisation collects the money for another supplier
    (a resource supplier's heating collected by a management company), that supplier: the line then carries the
    agent tags (1222 agent type, 1224 supplier name, phone, 1226 INN). They come from the service's supplier in the
    register (orgs.Supplier, paid through the organisation as agent); the requisites typed here are for a supplier
    the register does not know (fiscal.agent_supplier)."""

    service = models.OneToOneField("billing.Service", models.CASCADE, related_name="fiscal", verbose_name=_("услуга"))
    vat_code = models.PositiveSmallIntegerField(_("НДС"), choices=VatCode.choices, default=VatCode.NONE)
    supplier_name = models.CharField(_("поставщик (если собираем для него)"), max_length=200, blank=True)
    supplier_inn = models.CharField(_("ИНН поставщика"), max_length=12, blank=True)
    supplier_phone = models.CharField(_("телефон поставщика"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("НДС и поставщик услуги в чеке")
        verbose_name_plural = _("НДС и поставщики услуг в чеках")

    def __str__(self) -> str:
        return str(self.service)


class FiscalReceipt(models.Model):
    """A 54-ФЗ receipt of one provider payment (all accounts of a checkout) or of one refund: the lines as they
    were sent to the cash register, then the fiscal data the register gave it (ФН, ФД, ФП)."""

    class Kind(models.TextChoices):
        INCOME = "income", _("Приход")
        REFUND = "refund", _("Возврат прихода")

    class Status(models.TextChoices):
        PENDING = "pending", _("Формируется")
        REGISTERED = "registered", _("Зарегистрирован")

    kind = models.CharField(_("признак расчёта"), max_length=8, choices=Kind.choices, default=Kind.INCOME)
    status = models.CharField(_("состояние"), max_length=12, choices=Status.choices, default=Status.PENDING)
    order = models.UUIDField(_("заказ"), db_index=True)
    payment = models.ForeignKey(Payment, models.PROTECT, related_name="fiscal_receipts", verbose_name=_("платёж"))
    refund = models.OneToOneField(
        "payments.Refund",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="fiscal_receipt",
        verbose_name=_("возврат"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("покупатель")
    )
    customer_email = models.CharField(_("e-mail покупателя"), max_length=254, blank=True)
    customer_phone = models.CharField(_("телефон покупателя"), max_length=20, blank=True)
    total = models.DecimalField(_("сумма"), **MONEY)
    items = models.JSONField(_("строки"), default=list)
    fn = models.CharField(_("ФН"), max_length=16, blank=True)
    fd = models.CharField(_("ФД"), max_length=10, blank=True)
    fp = models.CharField(_("ФП"), max_length=10, blank=True)
    registered_at = models.DateTimeField(_("зарегистрирован"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("отправлен покупателю"), null=True, blank=True)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)

    class Meta:
        verbose_name = _("чек 54-ФЗ")
        verbose_name_plural = _("чеки 54-ФЗ")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=Q(kind="income"), name="fiscal_income_once_per_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {money(self.total)}"


class FiscalDrive(models.Model):
    """The sandbox's emulated fiscal drive: its number and the counter of fiscal documents it has issued (the row
    is locked to take the next number, so two receipts never share one)."""

    fn = models.CharField(max_length=16, unique=True)
    last_fd = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("фискальный накопитель песочницы")
        verbose_name_plural = _("фискальный накопитель песочницы")

    def __str__(self) -> str:
        return self.fn


# --- refunds (refunds.py) ---


class Refund(models.Model):
    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("Выполнен")

    payment = models.ForeignKey(Payment, models.PROTECT, related_name="refunds", verbose_name=_("платёж"))
    amount = models.DecimalField(_("сумма"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.CharField(_("причина"), max_length=300)
    status = models.CharField(_("состояние"), max_length=12, choices=Status.choices, default=Status.SUCCEEDED)
    provider_refund_id = models.CharField(_("id возврата у провайдера"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("кто")
    )
    created_at = models.DateTimeField(_("создан"), default=timezone.now)

    class Meta:
        verbose_name = _("возврат")
        verbose_name_plural = _("возвраты")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"{money(self.amount)}: {self.reason}"


# --- auto-pay (autopay.py) ---


class AutoPay(models.Model):
    class Mode(models.TextChoices):
        ON_RECEIPT = "on_receipt", _("При каждой новой квитанции")
        BEFORE_DUE = "before_due", _("За день до срока оплаты")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("абонент"))
    account = models.ForeignKey(
        "housing.PersonalAccount", models.CASCADE, related_name="+", verbose_name=_("лицевой счёт")
    )
    provider = models.CharField(_("провайдер"), max_length=16)
    channel = models.CharField(_("способ"), max_length=8, default="card")
    method_id = models.CharField(_("сохранённый способ у провайдера"), max_length=64)
    method_title = models.CharField(_("способ"), max_length=100, blank=True)
    mode = models.CharField(_("когда списывать"), max_length=12, choices=Mode.choices, default=Mode.ON_RECEIPT)
    monthly_limit = models.DecimalField(_("лимит в месяц"), **MONEY)
    max_attempts = models.PositiveSmallIntegerField(_("попыток списания"), default=3)
    active = models.BooleanField(_("включён"), default=True)
    created_at = models.DateTimeField(_("включён"), default=timezone.now)

    class Meta:
        verbose_name = _("автоплатёж")
        verbose_name_plural = _("автоплатежи")
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(active=True), name="autopay_one_active_per_account"
            ),
            models.CheckConstraint(condition=Q(monthly_limit__gt=0), name="autopay_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: до {money(self.monthly_limit)}"


class AutoPayCharge(models.Model):
    """One auto-pay charge of an account for a published period: the unique row is claimed before anything is
    sent or charged, so the account is charged once per period however many runs race."""

    class Status(models.TextChoices):
        ANNOUNCED = "announced", _("Письмо отправлено")
        CHARGING = "charging", _("Списывается")
        SUCCEEDED = "succeeded", _("Списано")
        FAILED = "failed", _("Не удалось")
        GAVE_UP = "gave_up", _("Попытки исчерпаны")
        CANCELLED = "cancelled", _("Отменено")
        SKIPPED = "skipped", _("Нечего списывать")

    autopay = models.ForeignKey(AutoPay, models.CASCADE, related_name="charges", verbose_name=_("автоплатёж"))
    account = models.ForeignKey("housing.PersonalAccount", models.CASCADE, related_name="+", verbose_name=_("счёт"))
    period = models.ForeignKey("billing.BillingPeriod", models.CASCADE, related_name="+", verbose_name=_("период"))
    amount = models.DecimalField(_("сумма"), **MONEY)
    charge_on = models.DateField(_("дата списания"))
    status = models.CharField(_("состояние"), max_length=10, choices=Status.choices, default=Status.ANNOUNCED)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    last_error = models.CharField(_("причина отказа"), max_length=300, blank=True)
    payment = models.ForeignKey(
        Payment, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("платёж")
    )
    created_at = models.DateTimeField(_("создан"), default=timezone.now)

    class Meta:
        verbose_name = _("списание автоплатежа")
        verbose_name_plural = _("списания автоплатежей")
        constraints = [models.UniqueConstraint(fields=["account", "period"], name="autopay_charge_once_per_period")]

    def __str__(self) -> str:
        return f"{self.account} {self.period}: {money(self.amount)}"


# --- reconciliation (reconciliation.py) ---


class Reconciliation(models.Model):
    """A day's provider payments against ours: what is missing on either side and where the amounts differ."""

    provider = models.CharField(_("провайдер"), max_length=16)
    day = models.DateField(_("день"))
    provider_count = models.PositiveIntegerField(_("платежей у провайдера"), default=0)
    our_count = models.PositiveIntegerField(_("платежей у нас"), default=0)
    missing_ours = models.JSONField(_("нет у нас"), default=list)
    missing_provider = models.JSONField(_("нет у провайдера"), default=list)
    mismatches = models.JSONField(_("суммы расходятся"), default=list)
    created_at = models.DateTimeField(_("составлен"), default=timezone.now)

    class Meta:
        verbose_name = _("сверка с провайдером")
        verbose_name_plural = _("сверки с провайдером")
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "day"], name="reconciliation_once_per_day")]

    def __str__(self) -> str:
        return f"{self.provider} {self.day:%d.%m.%Y}"

    @property
    def is_clean(self) -> bool:
        return not (self.missing_ours or self.missing_provider or self.mismatches)


class RegistryLayout(models.Model):
    """A bank registry layout the organisation's operator defines (registry_custom): which field is in which
    column, the separator, encoding, date format, decimal comma and the summary line. Picked at upload beside the
    presets of registry_layouts; the preview shows the first lines as this layout reads them."""

    class Encoding(models.TextChoices):
        CP1251 = "cp1251", _("Windows-1251")
        UTF8 = "utf-8", _("UTF-8")
        CP866 = "cp866", _("cp866 (DOS)")

    class DateFormat(models.TextChoices):
        DMY_DOT = "%d.%m.%Y", _("ДД.ММ.ГГГГ")
        DMY_SLASH = "%d/%m/%Y", _("ДД/ММ/ГГГГ")
        YMD = "%Y-%m-%d", _("ГГГГ-ММ-ДД")

    organisation = models.ForeignKey(
        "orgs.Organisation", models.CASCADE, related_name="registry_layouts", verbose_name=_("организация")
    )
    title = models.CharField(_("название"), max_length=120)
    encoding = models.CharField(_("кодировка"), max_length=8, choices=Encoding.choices, default=Encoding.CP1251)
    separator = models.CharField(_("разделитель полей"), max_length=1, default=";")
    date_format = models.CharField(
        _("формат даты"), max_length=8, choices=DateFormat.choices, default=DateFormat.DMY_DOT
    )
    decimal_comma = models.BooleanField(_("сумма с запятой (1 234,56)"), default=False)
    # the columns, counted from 1 as the operator sees them in the file
    paid_on = models.PositiveSmallIntegerField(_("колонка даты платежа"))
    payment_id = models.PositiveSmallIntegerField(_("колонка идентификатора платежа"))
    account = models.PositiveSmallIntegerField(_("колонка лицевого счёта"))
    amount = models.PositiveSmallIntegerField(_("колонка суммы"))
    payer = models.PositiveSmallIntegerField(_("колонка плательщика"), null=True, blank=True)
    period = models.PositiveSmallIntegerField(_("колонка периода (ММГГГГ или ММ.ГГГГ)"), null=True, blank=True)
    service = models.PositiveSmallIntegerField(_("колонка кода услуги"), null=True, blank=True)
    summary_prefix = models.CharField(_("итоговая строка начинается с"), max_length=8, default="=")
    summary_count = models.PositiveSmallIntegerField(_("поле количества в итоговой строке"), default=1)
    summary_total = models.PositiveSmallIntegerField(_("поле суммы в итоговой строке"), default=2)

    class Meta:
        verbose_name = _("формат реестра организации")
        verbose_name_plural = _("форматы реестров организации")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "title"], name="registry_layout_title_unique_in_org"),
        ]

    def __str__(self) -> str:
        return self.title
