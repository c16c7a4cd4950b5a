import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abonent.lib.numbers import money, rate, ru_number
from abonent.metering.models import Resource
from abonent.orgs.dates import month_label
from abonent.orgs.models import Organisation, Supplier

FAR_FUTURE = dt.date(9999, 12, 31)


class Service(models.Model):
    """A коммунальная or жилищная услуга an organisation charges for, and how its volume is found."""

    class Method(models.TextChoices):
        METER = "meter", _("По прибору учёта (при его отсутствии — по нормативу)")
        NORM = "norm", _("По нормативу на жильца")
        AREA = "area", _("По площади помещения")
        FIXED = "fixed", _("Фиксированная сумма с лицевого счёта")
        SEWERAGE = "sewerage", _("Водоотведение: сумма объёмов холодной и горячей воды")
        COMMON_HOUSE = "common", _("Общедомовые нужды (СОИ/ОДН)")

    class Unit(models.TextChoices):
        M3 = "м³", _("м³")
        GCAL = "Гкал", _("Гкал")
        KWH = "кВт·ч", _("кВт·ч")
        M2 = "м²", _("м²")
        PERSON = "чел.", _("чел.")
        ACCOUNT = "л/с", _("л/с")

    class Payee(models.TextChoices):
        # ПП РФ №354 п.64: the subscriber pays the исполнитель or, by its decision, the supplier directly; an
        # agent collects for the supplier and transfers what it collected (agent.py splits it by supplier).
        AGENT = "agent", _("организации (сама или как агенту поставщика)")
        DIRECT = "direct", _("напрямую поставщику")

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="services", verbose_name=_("организация")
    )
    code = models.SlugField(_("код"), max_length=32)
    name = models.CharField(_("наименование"), max_length=160)
    unit = models.CharField(_("единица измерения"), max_length=8, choices=Unit.choices)
    method = models.CharField(_("способ расчёта"), max_length=16, choices=Method.choices)
    resource = models.CharField(
        _("ресурс"),
        max_length=16,
        choices=Resource.choices,
        blank=True,
        help_text=_("Для услуг по прибору учёта и общедомовых: какой ресурс"),
    )
    multiplying_factor_applies = models.BooleanField(
        _("повышающий коэффициент без прибора учёта"),
        default=True,
        help_text=_("Не применяется к водоотведению и газу (ПП РФ №354)."),
    )
    common_house_capped = models.BooleanField(
        _("ОДН по прибору не выше норматива"),
        default=True,
        help_text=_(
            "Для общедомовых нужд по общедомовому прибору: ограничивать объём нормативом, если собственники "
            "не решили иначе."
        ),
    )
    sort_order = models.PositiveSmallIntegerField(_("порядок в квитанции"), default=100)
    is_active = models.BooleanField(_("начисляется"), default=True)
    supplier = models.ForeignKey(
        Supplier,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("поставщик"),
        help_text=_("Пусто — услугу оказывает сама организация"),
    )
    payee = models.CharField(_("кому платит абонент"), max_length=8, choices=Payee.choices, default=Payee.AGENT)

    class Meta:
        verbose_name = _("услуга")
        verbose_name_plural = _("услуги")
        ordering = ["organisation_id", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                name="service_code_unique_in_org",
                violation_error_message=_("Услуга с таким кодом в организации уже есть."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        _refuse_locked(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_locked(self, deleting=True)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        needs_resource = self.method in (self.Method.METER, self.Method.COMMON_HOUSE)
        if needs_resource and not self.resource:
            raise ValidationError({"resource": _("Укажите ресурс: для этого способа расчёта он обязателен.")})
        self._clean_supplier()
        _refuse_locked(self)

    def _clean_supplier(self) -> None:
        if self.supplier_id and self.organisation_id and self.supplier.organisation_id != self.organisation_id:
            raise ValidationError({"supplier": _("Поставщик другой организации: выберите поставщика своей.")})
        if self.payee == self.Payee.DIRECT and not self.supplier_id:
            raise ValidationError(
                {"payee": _("Напрямую платят только другому поставщику: выберите поставщика или «организации».")}
            )


# What refuses a change of a row a published period was charged by: billing.locked, registered from
# BillingConfig.ready(). It queries the models defined here, so they cannot import it.
_lock_guards: list = []


def register_lock_guard(guard) -> None:
    _lock_guards.append(guard)


def _refuse_locked(row, *, deleting: bool = False) -> None:
    for guard in _lock_guards:
        guard(row, deleting=deleting)


class DatedValue(models.Model):
    """A value of a service valid from a date until a date (inclusive) or open-ended.

    Two rows of one service never overlap; the database enforces it (an exclusion constraint on PostgreSQL,
    triggers on SQLite: see the migration), and clean() says so in Russian before the database has to.
    """

    service = models.ForeignKey(Service, models.PROTECT, verbose_name=_("услуга"))
    valid_from = models.DateField(_("действует с"))
    valid_to = models.DateField(_("действует по"), null=True, blank=True, help_text=_("Пусто — бессрочно"))

    overlap_message = _("Период действия пересекается с другим значением этой услуги.")

    class Meta:
        abstract = True
        ordering = ["service_id", "-valid_from"]

    def save(self, *args, **kwargs):
        _refuse_locked(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_locked(self, deleting=True)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Дата окончания раньше даты начала.")})
        _refuse_locked(self)
        if not (self.service_id and self.valid_from):
            return
        overlapping = (
            type(self)
            .objects.filter(
                service_id=self.service_id,
                valid_from__lte=self.valid_to or FAR_FUTURE,
            )
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))
        )
        if self.pk:
            overlapping = overlapping.exclude(pk=self.pk)
        clash = overlapping.first()
        if clash:
            raise ValidationError(
                _("%(msg)s Уже действует: %(clash)s.") % {"msg": self.overlap_message, "clash": clash.period_label}
            )

    @property
    def period_label(self) -> str:
        end = f"по {self.valid_to:%d.%m.%Y}" if self.valid_to else "бессрочно"
        return f"с {self.valid_from:%d.%m.%Y} {end}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Tariff(DatedValue):
    service = models.ForeignKey(Service, models.PROTECT, related_name="tariffs", verbose_name=_("услуга"))
    price = models.DecimalField(
        _("тариф, ₽ за единицу"), max_digits=14, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )

    overlap_message = _("Период действия тарифа пересекается с другим тарифом этой услуги.")

    class Meta(DatedValue.Meta):
        verbose_name = _("тариф")
        verbose_name_plural = _("тарифы")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="tariff_dates_ordered",
                violation_error_message=_("Дата окончания раньше даты начала."),
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="tariff_price_non_negative",
                violation_error_message=_("Тариф не может быть отрицательным."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {rate(self.price)} {self.period_label}"


class Norm(DatedValue):
    """A норматив потребления: per resident a month, or per m² (heating, common-house needs per m² of common area)."""

    class Basis(models.TextChoices):
        PER_RESIDENT = "resident", _("на 1 жильца в месяц")
        PER_M2 = "m2", _("на 1 м² площади в месяц")

    service = models.ForeignKey(Service, models.PROTECT, related_name="norms", verbose_name=_("услуга"))
    value = models.DecimalField(
        _("норматив"), max_digits=18, decimal_places=6, validators=[MinValueValidator(Decimal("0"))]
    )
    basis = models.CharField(_("на что"), max_length=8, choices=Basis.choices, default=Basis.PER_RESIDENT)

    overlap_message = _("Период действия норматива пересекается с другим нормативом этой услуги.")

    class Meta(DatedValue.Meta):
        verbose_name = _("норматив")
        verbose_name_plural = _("нормативы")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="norm_dates_ordered",
                violation_error_message=_("Дата окончания раньше даты начала."),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="norm_value_non_negative",
                violation_error_message=_("Норматив не может быть отрицательным."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {ru_number(self.value)} {self.service.unit} {self.get_basis_display()} {self.period_label}"


class AccountServiceOff(models.Model):
    """A service an account does not receive from some month: a flat without this supplier's hot water, a house
    without sewerage, heating switched off. The close does not charge the service for the row's days and
    prorates the rest of the month (in_force.month_days); a month wholly within the row has no line.

    Two rows of one account and service never overlap; the database enforces it as it does for tariffs (an
    exclusion constraint on PostgreSQL, triggers on SQLite: migration 0006), and clean() says so in Russian first.
    """

    account = models.ForeignKey(
        "housing.PersonalAccount", models.PROTECT, related_name="services_off", verbose_name=_("лицевой счёт")
    )
    service = models.ForeignKey(Service, models.PROTECT, related_name="accounts_off", verbose_name=_("услуга"))
    since = models.DateField(_("не оказывается с"), help_text=_("Первый месяц, за который услуга не начисляется"))
    until = models.DateField(
        _("не оказывается по"),
        null=True,
        blank=True,
        help_text=_("Последний день, когда услуга не оказывалась; пусто — не оказывается и сейчас"),
    )
    reason = models.CharField(_("причина"), max_length=200, blank=True)

    overlap_message = _("Период пересекается с другой записью об этой услуге по этому лицевому счёту.")

    class Meta:
        verbose_name = _("услуга не оказывается")
        verbose_name_plural = _("услуги, которые не оказываются")
        ordering = ["account_id", "service_id", "-since"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="service_off_dates_ordered",
                violation_error_message=_("Дата окончания раньше даты начала."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: не оказывается {self.period_label}"

    @property
    def period_label(self) -> str:
        end = f"по {self.until:%d.%m.%Y}" if self.until else "бессрочно"
        return f"с {self.since:%d.%m.%Y} {end}"

    def clean(self) -> None:
        if self.until and self.since and self.until < self.since:
            raise ValidationError({"until": _("Дата окончания раньше даты начала.")})
        if not (self.account_id and self.service_id):
            return
        if self.account.organisation_id != self.service.organisation_id:
            raise ValidationError(
                {"service": _("Услуга другой организации: лицевой счёт и услуга должны быть одной организации.")}
            )
        if not self.since:
            return
        overlapping = AccountServiceOff.objects.filter(
            account_id=self.account_id, service_id=self.service_id, since__lte=self.until or FAR_FUTURE
        ).filter(Q(until__isnull=True) | Q(until__gte=self.since))
        if self.pk:
            overlapping = overlapping.exclude(pk=self.pk)
        clash = overlapping.first()
        if clash:
            raise ValidationError(
                _("%(msg)s Уже есть: %(clash)s.") % {"msg": self.overlap_message, "clash": clash.period_label}
            )


class BillingPeriod(models.Model):
    """A month of an organisation's billing and where it is in its life: open → … → published."""

    class State(models.TextChoices):
        OPEN = "open", _("Открыт: приём показаний")
        READINGS_CLOSED = "readings_closed", _("Показания закрыты")
        CALCULATED = "calculated", _("Рассчитан")
        PUBLISHED = "published", _("Опубликован: квитанции выпущены")

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="periods", verbose_name=_("организация")
    )
    month = models.DateField(_("месяц"), help_text=_("Первое число месяца"))
    state = models.CharField(_("состояние"), max_length=16, choices=State.choices, default=State.OPEN)
    readings_closed_at = models.DateTimeField(_("показания закрыты"), null=True, blank=True)
    calculated_at = models.DateTimeField(_("рассчитан"), null=True, blank=True)
    published_at = models.DateTimeField(_("опубликован"), null=True, blank=True)

    class Meta:
        verbose_name = _("расчётный период")
        verbose_name_plural = _("расчётные периоды")
        ordering = ["organisation_id", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month"],
                name="period_unique_in_org",
                violation_error_message=_("Этот месяц у организации уже есть."),
            ),
        ]

    def __str__(self) -> str:
        return month_label(self.month)

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Месяц задаётся первым числом.")})


# --- the results of a close: charges, recalculations, penalties, and the ledger they end up in ---

MONEY = {"max_digits": 14, "decimal_places": 2}
VOLUME = {"max_digits": 18, "decimal_places": 6}


class Charge(models.Model):
    """One line of a period's charges for an account: a service, its volume, the tariff and the amount.

    Written by the close (calculate step) and rewritten by a rerun until the period is published; never after.
    A service billed by meter has one line per meter (a flat may have two cold-water meters).
    """

    class Basis(models.TextChoices):
        METER = "meter", _("по прибору учёта")
        AVERAGE = "average", _("по среднемесячному объёму")
        NORM = "norm", _("по нормативу")
        NORM_FACTOR = "norm_factor", _("по нормативу с повышающим коэффициентом")
        AREA = "area", _("по площади")
        FIXED = "fixed", _("фиксированная сумма")
        COMMON_HOUSE = "common_house", _("общедомовые нужды")

    account = models.ForeignKey(
        "housing.PersonalAccount", models.PROTECT, related_name="charges", verbose_name=_("лицевой счёт")
    )
    period = models.ForeignKey(BillingPeriod, models.PROTECT, related_name="charges", verbose_name=_("период"))
    service = models.ForeignKey(Service, models.PROTECT, related_name="charges", verbose_name=_("услуга"))
    meter = models.ForeignKey(
        "metering.Meter", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("прибор учёта")
    )
    basis = models.CharField(_("основание"), max_length=16, choices=Basis.choices)
    previous_value = models.DecimalField(_("предыдущее показание"), **VOLUME, null=True, blank=True)
    current_value = models.DecimalField(_("текущее показание"), **VOLUME, null=True, blank=True)
    volume = models.DecimalField(_("объём"), **VOLUME)
    price = models.DecimalField(_("тариф"), max_digits=14, decimal_places=4)
    factor = models.DecimalField(_("повышающий коэффициент"), max_digits=4, decimal_places=2, null=True, blank=True)
    factor_excess = models.DecimalField(_("превышение из-за коэффициента"), **MONEY, default=Decimal("0"))
    amount = models.DecimalField(_("начислено"), **MONEY)
    house_volume = models.DecimalField(
        _("объём на общедомовые нужды по дому"), **VOLUME, null=True, blank=True, help_text=_("Справочно, для ОДН")
    )

    class Meta:
        verbose_name = _("начисление")
        verbose_name_plural = _("начисления")
        ordering = ["period_id", "account_id", "service__sort_order", "id"]
        indexes = [models.Index(fields=["account", "period"], name="charge_account_period")]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "account", "service"],
                condition=Q(meter__isnull=True),
                name="charge_one_per_service",
            ),
            models.UniqueConstraint(
                fields=["period", "account", "service", "meter"],
                condition=Q(meter__isnull=False),
                name="charge_one_per_meter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {money(self.amount)}"


class Recalculation(models.Model):
    """A перерасчёт booked in one period that corrects an earlier one: by a real reading after estimates, or by
    an operator. Signed: positive is доначисление, negative is снятие."""

    class Kind(models.TextChoices):
        READINGS = "readings", _("По фактическим показаниям после расчёта по среднему/нормативу")
        OPERATOR = "operator", _("Оператором")

    account = models.ForeignKey(
        "housing.PersonalAccount", models.PROTECT, related_name="recalculations", verbose_name=_("лицевой счёт")
    )
    period = models.ForeignKey(
        BillingPeriod, models.PROTECT, related_name="recalculations", verbose_name=_("учтён в периоде")
    )
    corrected_period = models.ForeignKey(
        BillingPeriod, models.PROTECT, related_name="corrections", verbose_name=_("корректирует период")
    )
    service = models.ForeignKey(
        Service, models.PROTECT, null=True, blank=True, related_name="recalculations", verbose_name=_("услуга")
    )
    meter = models.ForeignKey(
        "metering.Meter", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("прибор учёта")
    )
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices, default=Kind.OPERATOR)
    volume = models.DecimalField(_("объём"), **VOLUME, null=True, blank=True)
    amount = models.DecimalField(_("сумма"), **MONEY)
    reason = models.CharField(_("основание"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("кем")
    )
    created_at = models.DateTimeField(_("создан"), default=timezone.now)

    class Meta:
        verbose_name = _("перерасчёт")
        verbose_name_plural = _("перерасчёты")
        ordering = ["period_id", "account_id", "id"]
        indexes = [models.Index(fields=["account", "period"], name="recalc_account_period")]

    def __str__(self) -> str:
        return f"{self.reason}: {money(self.amount)}"


class PenaltyRate(models.Model):
    """The rate penalties are computed at, dated (ЖК РФ ст.155 ч.14 and the decrees that fix it). Editable.

    Rows never overlap (the database enforces it: see migration 0007) and a rate is positive; a moratorium row's
    days accrue nothing, and its rate (zero if unknown) is the one for a payment made during the moratorium.
    """

    valid_from = models.DateField(_("действует с"))
    valid_to = models.DateField(_("действует по"), null=True, blank=True, help_text=_("Пусто — бессрочно"))
    rate = models.DecimalField(_("ставка, % годовых"), max_digits=6, decimal_places=3, default=Decimal("0"))
    moratorium = models.BooleanField(_("мораторий: пени не начисляются"), default=False)
    note = models.CharField(_("основание"), max_length=300, blank=True)

    overlap_message = _("Период действия ставки пересекается с другой ставкой.")

    class Meta:
        verbose_name = _("ставка для пеней")
        verbose_name_plural = _("ставки для пеней")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="penalty_rate_dates_ordered",
                violation_error_message=_("Дата окончания раньше даты начала."),
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0) | Q(moratorium=True, rate=0),
                name="penalty_rate_positive",
                violation_error_message=_("Ставка должна быть больше нуля (ноль — только для моратория)."),
            ),
        ]

    def __str__(self) -> str:
        end = f"по {self.valid_to:%d.%m.%Y}" if self.valid_to else "бессрочно"
        what = "мораторий" if self.moratorium else f"{ru_number(self.rate)} %"
        return f"{what} с {self.valid_from:%d.%m.%Y} {end}"

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Дата окончания раньше даты начала.")})
        if self.rate is not None and (self.rate < 0 or (self.rate == 0 and not self.moratorium)):
            raise ValidationError({"rate": _("Ставка должна быть больше нуля (ноль — только для моратория).")})
        if not self.valid_from:
            return
        overlapping = PenaltyRate.objects.filter(valid_from__lte=self.valid_to or FAR_FUTURE).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from)
        )
        clash = overlapping.exclude(pk=self.pk).first() if self.pk else overlapping.first()
        if clash:
            raise ValidationError(
                _("%(msg)s Уже действует: %(clash)s.") % {"msg": self.overlap_message, "clash": clash}
            )


class CalendarDay(models.Model):
    """A day the production calendar gets wrong for an organisation: a decreed transfer of a day off the library
    does not know yet, or a regional non-working day (a subject's law). With no organisation it applies to all."""

    organisation = models.ForeignKey(
        Organisation,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_days",
        verbose_name=_("организация"),
        help_text=_("Пусто — для всех организаций (федеральный перенос)"),
    )
    day = models.DateField(_("дата"))
    is_working = models.BooleanField(_("рабочий день"), help_text=_("Отметьте для рабочего дня, снимите для выходного"))
    note = models.CharField(_("основание"), max_length=300, help_text=_("Постановление, закон субъекта"))

    class Meta:
        verbose_name = _("день производственного календаря")
        verbose_name_plural = _("производственный календарь: исключения")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day"],
                name="calendar_day_unique_in_org",
                violation_error_message=_("Этот день в календаре организации уже указан."),
            ),
            models.UniqueConstraint(
                fields=["day"],
                condition=Q(organisation__isnull=True),
                name="calendar_day_unique_for_all",
                violation_error_message=_("Этот день в общем календаре уже указан."),
            ),
        ]

    def __str__(self) -> str:
        kind = "рабочий" if self.is_working else "нерабочий"
        return f"{self.day:%d.%m.%Y} — {kind} день"


class Penalty(models.Model):
    """Пени charged in a period: what accrued on the account's overdue debt up to the period's last day, less
    the penalties already charged before (so a late-posted payment corrects itself, possibly negatively)."""

    account = models.ForeignKey(
        "housing.PersonalAccount", models.PROTECT, related_name="penalties", verbose_name=_("лицевой счёт")
    )
    period = models.ForeignKey(BillingPeriod, models.PROTECT, related_name="penalties", verbose_name=_("период"))
    amount = models.DecimalField(_("сумма"), **MONEY)
    basis = models.TextField(_("расчёт"), blank=True)

    class Meta:
        verbose_name = _("пени")
        verbose_name_plural = _("пени")
        constraints = [
            models.UniqueConstraint(fields=["account", "period"], name="penalty_one_per_account_period"),
        ]

    def __str__(self) -> str:
        return money(self.amount)


class LedgerEntry(models.Model):
    """The append-only account ledger. Never updated or deleted; a correction is a new entry.

    Charges, recalculations and penalties enter it when their period is published (until then they are a
    draft that a rerun may rewrite); payments enter it when they arrive. The idempotency key makes posting the
    same fact twice a no-op.
    """

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Начисление")
        RECALCULATION = "recalculation", _("Перерасчёт")
        PENALTY = "penalty", _("Пени")
        PAYMENT = "payment", _("Оплата")
        CORRECTION = "correction", _("Корректировка")

    account = models.ForeignKey(
        "housing.PersonalAccount", models.PROTECT, related_name="ledger_entries", verbose_name=_("лицевой счёт")
    )
    period = models.ForeignKey(BillingPeriod, models.PROTECT, related_name="ledger_entries", verbose_name=_("период"))
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(
        _("сумма"), **MONEY, help_text=_("Для оплаты — уплаченная сумма (положительная); остальное — со знаком")
    )
    occurred_on = models.DateField(_("дата"))
    source = models.CharField(_("источник"), max_length=32, blank=True)
    source_id = models.CharField(_("идентификатор в источнике"), max_length=100, blank=True)
    idempotency_key = models.CharField(_("ключ идемпотентности"), max_length=160, unique=True)
    created_at = models.DateTimeField(_("записано"), default=timezone.now)
    # What the payer named (ПП РФ №354 п.118–119): the service and the month the payment is for; allocation.py
    # honours them. Empty for charges, recalculations and penalties.
    service = models.ForeignKey(
        Service,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("услуга, указанная плательщиком"),
    )
    named_month = models.DateField(_("период, указанный плательщиком"), null=True, blank=True)

    class Meta:
        verbose_name = _("проводка")
        verbose_name_plural = _("проводки")
        ordering = ["account_id", "occurred_on", "id"]
        indexes = [models.Index(fields=["account", "period", "kind"], name="ledger_account_period_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {money(self.amount)}"


TURNOVER = F("opening") + F("charged") + F("recalculated") + F("penalties") - F("paid")


class AccountBalance(models.Model):
    """An account's turnover in a period. A negative closing balance is an advance (переплата)."""

    account = models.ForeignKey(
        "housing.PersonalAccount", models.PROTECT, related_name="balances", verbose_name=_("лицевой счёт")
    )
    period = models.ForeignKey(BillingPeriod, models.PROTECT, related_name="balances", verbose_name=_("период"))
    opening = models.DecimalField(_("входящее сальдо"), **MONEY, default=Decimal("0"))
    charged = models.DecimalField(_("начислено"), **MONEY, default=Decimal("0"))
    recalculated = models.DecimalField(_("перерасчёты"), **MONEY, default=Decimal("0"))
    penalties = models.DecimalField(_("пени"), **MONEY, default=Decimal("0"))
    paid = models.DecimalField(_("оплачено"), **MONEY, default=Decimal("0"))
    closing = models.DecimalField(_("исходящее сальдо"), **MONEY, default=Decimal("0"))

    class Meta:
        verbose_name = _("сальдо лицевого счёта")
        verbose_name_plural = _("сальдо лицевых счетов")
        ordering = ["account_id", "period__month"]
        constraints = [
            models.UniqueConstraint(fields=["account", "period"], name="balance_one_per_account_period"),
            # Within a tenth of a kopeck rather than equal: SQLite sums decimals as binary floats; on PostgreSQL
            # (numeric) and for two-place amounts this is the same as equality.
            models.CheckConstraint(
                condition=Q(closing__gte=TURNOVER - Decimal("0.001")) & Q(closing__lte=TURNOVER + Decimal("0.001")),
                name="balance_identity",
                violation_error_message=_("Исходящее сальдо ≠ входящее + начислено + перерасчёты + пени − оплачено."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {money(self.closing)}"


class ServiceBalance(models.Model):
    """An account's turnover in a period for one service (billing/service_ledger.py); service empty — what belongs
    to no service (a recalculation without one, an advance with no document to spread it by). The account's
    AccountBalance is the sum of its rows, field by field: the close checks it and refuses a difference."""

    account = models.ForeignKey(
        "housing.PersonalAccount", models.PROTECT, related_name="service_balances", verbose_name=_("лицевой счёт")
    )
    # Three indexes in all (the primary key, the account's, the unique one led by the period): the close writes a
    # row per account and service (700 000 a month for a city), and each index is part of its cost.
    period = models.ForeignKey(
        BillingPeriod, models.PROTECT, related_name="service_balances", verbose_name=_("период"), db_index=False
    )
    service = models.ForeignKey(
        Service,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="balances",
        verbose_name=_("услуга"),
        db_index=False,
    )
    opening = models.DecimalField(_("входящее сальдо"), **MONEY, default=Decimal("0"))
    charged = models.DecimalField(_("начислено"), **MONEY, default=Decimal("0"))
    recalculated = models.DecimalField(_("перерасчёты"), **MONEY, default=Decimal("0"))
    penalties = models.DecimalField(_("пени"), **MONEY, default=Decimal("0"))
    paid = models.DecimalField(_("оплачено"), **MONEY, default=Decimal("0"))
    closing = models.DecimalField(_("исходящее сальдо"), **MONEY, default=Decimal("0"))

    class Meta:
        verbose_name = _("сальдо по услуге")
        verbose_name_plural = _("сальдо по услугам")
        ordering = ["account_id", "period_id", "service_id"]
        constraints = [
            # One row per account, period and service, the row without a service (0) included.
            models.UniqueConstraint(
                F("period"), F("account"), Coalesce(F("service"), Value(0)), name="service_balance_one_per_service"
            ),
            models.CheckConstraint(
                condition=Q(closing__gte=TURNOVER - Decimal("0.001")) & Q(closing__lte=TURNOVER + Decimal("0.001")),
                name="service_balance_identity",
                violation_error_message=_("Исходящее сальдо ≠ входящее + начислено + перерасчёты + пени − оплачено."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service or 'без услуги'}: {money(self.closing)}"


class Allocation(models.Model):
    """What a payment entry paid, by service (billing/allocation.py, ПП РФ №354 п.118–119). Fixed when the
    payment is posted and never rewritten; a cancellation is the original's rows with the sign turned. The rows of
    one entry sum to its amount."""

    entry = models.ForeignKey(LedgerEntry, models.PROTECT, related_name="allocations", verbose_name=_("проводка"))
    account = models.ForeignKey(
        "housing.PersonalAccount", models.PROTECT, related_name="+", verbose_name=_("лицевой счёт")
    )
    period = models.ForeignKey(BillingPeriod, models.PROTECT, related_name="allocations", verbose_name=_("период"))
    service = models.ForeignKey(
        Service, models.PROTECT, null=True, blank=True, related_name="allocations", verbose_name=_("услуга")
    )
    amount = models.DecimalField(_("сумма"), **MONEY)

    class Meta:
        verbose_name = _("распределение оплаты")
        verbose_name_plural = _("распределение оплат")
        ordering = ["entry_id", "service_id"]
        indexes = [models.Index(fields=["period", "account"], name="allocation_period_account")]

    def __str__(self) -> str:
        return f"{self.service or 'аванс'}: {money(self.amount)}"


class PeriodRun(models.Model):
    """What a step of a close is doing or did: operators see progress and the last error in the back office."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Выполняется")
        DONE = "done", _("Выполнено")
        FAILED = "failed", _("Ошибка")
        # Killed or cut off (its process or transaction is gone): the period is as before the step, rerun it.
        INTERRUPTED = "interrupted", _("Прервано")

    period = models.ForeignKey(BillingPeriod, models.CASCADE, related_name="runs", verbose_name=_("период"))
    step = models.CharField(_("шаг"), max_length=32)
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    done = models.PositiveIntegerField(_("обработано"), default=0)
    total = models.PositiveIntegerField(_("всего"), default=0)
    message = models.TextField(_("сообщение"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("кто")
    )
    started_at = models.DateTimeField(_("начат"), default=timezone.now)
    finished_at = models.DateTimeField(_("завершён"), null=True, blank=True)
    # The last sign of life of a running step (its progress); a stale one on SQLite means it was cut off.
    heartbeat_at = models.DateTimeField(_("последний сигнал"), null=True, blank=True)
    forced_reason = models.TextField(
        _("причина досрочного запуска"), blank=True, help_text=_("Шаг запущен раньше срока по этой причине.")
    )

    class Meta:
        verbose_name = _("запуск шага")
        verbose_name_plural = _("запуски шагов")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.step}: {self.get_status_display()}"
