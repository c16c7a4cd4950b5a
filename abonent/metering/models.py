from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from abonent.housing.models import Building, Premises
from abonent.lib.numbers import ru_number
from abonent.orgs.models import Organisation

VOLUME = {"max_digits": 18, "decimal_places": 6}


class Resource(models.TextChoices):
    """What a meter measures; billing's services of the "by meter" method name the resource they bill."""

    COLD_WATER = "cold_water", _("Холодная вода")
    HOT_WATER = "hot_water", _("Горячая вода")
    HEAT = "heat", _("Тепловая энергия")
    ELECTRICITY = "electricity", _("Электроэнергия")
    GAS = "gas", _("Газ")


RESOURCE_UNITS = {
    Resource.COLD_WATER: "м³",
    Resource.HOT_WATER: "м³",
    Resource.HEAT: "Гкал",
    Resource.ELECTRICITY: "кВт·ч",
    Resource.GAS: "м³",
}


class Meter(models.Model):
    """A прибор учёта: in a premises (individual) or on a building (common-house). Closed, never deleted."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Действует")
        CLOSED = "closed", _("Выведен из эксплуатации")

    premises = models.ForeignKey(
        Premises, models.PROTECT, null=True, blank=True, related_name="meters", verbose_name=_("помещение")
    )
    building = models.ForeignKey(
        Building,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="house_meters",
        verbose_name=_("дом (общедомовой прибор)"),
    )
    resource = models.CharField(_("ресурс"), max_length=16, choices=Resource.choices)
    serial_number = models.CharField(_("заводской номер"), max_length=40)
    model_name = models.CharField(_("марка"), max_length=80, blank=True)
    place = models.CharField(_("место установки"), max_length=80, blank=True)
    installed_on = models.DateField(_("дата установки"))
    sealed_on = models.DateField(_("дата допуска (опломбирован)"), null=True, blank=True)
    verification_due = models.DateField(_("дата окончания поверки"))
    digits_before = models.PositiveSmallIntegerField(
        _("разрядов до запятой"), default=5, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    digits_after = models.PositiveSmallIntegerField(
        _("разрядов после запятой"), default=3, validators=[MaxValueValidator(6)]
    )
    initial_value = models.DecimalField(_("начальное показание"), **VOLUME, default=Decimal("0"))
    status = models.CharField(_("состояние"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    closed_on = models.DateField(_("дата вывода"), null=True, blank=True)

    class Meta:
        verbose_name = _("прибор учёта")
        verbose_name_plural = _("приборы учёта")
        ordering = ["premises_id", "resource", "serial_number"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(premises__isnull=False) & Q(building__isnull=True))
                | (Q(premises__isnull=True) & Q(building__isnull=False)),
                name="meter_in_premises_xor_building",
                violation_error_message=_("Прибор учёта стоит либо в помещении, либо на доме (общедомовой)."),
            ),
            models.CheckConstraint(
                condition=Q(digits_before__gte=1) & Q(digits_before__lte=9) & Q(digits_after__lte=6),
                name="meter_digits_valid",
                violation_error_message=_("Разрядов до запятой — от 1 до 9, после запятой — от 0 до 6."),
            ),
            models.CheckConstraint(
                condition=Q(verification_due__gt=F("installed_on")),
                name="meter_verification_after_installation",
                violation_error_message=_("Дата окончания поверки должна быть позже даты установки."),
            ),
            models.CheckConstraint(
                condition=Q(sealed_on__isnull=True) | Q(sealed_on__gte=F("installed_on")),
                name="meter_sealed_after_installation",
                violation_error_message=_("Дата допуска не может быть раньше даты установки."),
            ),
            models.CheckConstraint(
                condition=Q(initial_value__gte=0),
                name="meter_initial_value_non_negative",
                violation_error_message=_("Начальное показание не может быть отрицательным."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_resource_display()} № {self.serial_number}"

    @property
    def unit(self) -> str:
        return RESOURCE_UNITS[self.resource]

    @property
    def capacity(self) -> Decimal:
        """The first value the counter cannot show: it rolls over to zero there (99999.999 → 00000.000)."""
        return Decimal(10) ** self.digits_before

    def is_verified_on(self, day) -> bool:
        return day <= self.verification_due

    def is_active_on(self, day) -> bool:
        return (
            self.status == self.Status.ACTIVE
            and self.installed_on <= day
            and (self.closed_on is None or day < self.closed_on)
        )


class Reading(models.Model):
    """One reading as sent. Several per meter and period may come; the current one counts and all are kept."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Личный кабинет")
        API = "api", _("API")
        OPERATOR = "operator", _("Оператор")
        IMPORT = "import", _("Импорт файла")
        BANK = "bank", _("Банковский реестр")
        ESTIMATE = "estimate", _("Расчётное")

    class Status(models.TextChoices):
        PENDING = "pending", _("Рассчитывается")
        ACCEPTED = "accepted", _("Принято")
        REJECTED = "rejected", _("Отклонено")

    meter = models.ForeignKey(Meter, models.PROTECT, related_name="readings", verbose_name=_("прибор учёта"))
    period = models.DateField(_("расчётный период"), help_text=_("Первое число месяца"))
    value = models.DecimalField(_("показание"), **VOLUME)
    submitted_at = models.DateTimeField(_("передано"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кем передано"),
    )
    channel = models.CharField(_("способ передачи"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.PENDING)
    reject_reason = models.CharField(_("причина отклонения"), max_length=300, blank=True)
    rejected_at = models.DateTimeField(_("отклонено"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кем отклонено"),
    )
    is_current = models.BooleanField(_("действующее"), default=True)
    rollover = models.BooleanField(_("переход счётчика через ноль"), default=False)
    flagged = models.BooleanField(_("необычно большой расход"), default=False)

    class Meta:
        verbose_name = _("показание")
        verbose_name_plural = _("показания")
        ordering = ["meter_id", "-period", "-submitted_at", "-id"]
        indexes = [models.Index(fields=["period", "status"], name="reading_period_status")]
        constraints = [
            # Of everything sent for a meter in a period exactly one counts: the database guarantees it.
            models.UniqueConstraint(
                fields=["meter", "period"], condition=Q(is_current=True), name="reading_one_current_per_period"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="reading_value_non_negative",
                violation_error_message=_("Показание не может быть отрицательным."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter}: {ru_number(self.value, self.meter.digits_after)} ({self.period:%m.%Y})"

    def clean(self) -> None:
        if self.period and self.period.day != 1:
            raise ValidationError({"period": _("Период — первое число месяца.")})


class ReadingReminder(models.Model):
    """One reminder e-mail, claimed (inserted) before it is sent: the unique row is what makes it go out once."""

    class Kind(models.TextChoices):
        OPENS = "opens", _("Открыт приём показаний")
        CLOSES = "closes", _("Приём показаний скоро закончится")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="reading_reminders", verbose_name=_("пользователь")
    )
    account = models.ForeignKey(
        "housing.PersonalAccount", models.CASCADE, related_name="reading_reminders", verbose_name=_("лицевой счёт")
    )
    period = models.DateField(_("расчётный период"))
    kind = models.CharField(_("напоминание"), max_length=8, choices=Kind.choices)
    claimed_at = models.DateTimeField(_("отправлено"))

    class Meta:
        verbose_name = _("напоминание о показаниях")
        verbose_name_plural = _("напоминания о показаниях")
        constraints = [
            models.UniqueConstraint(fields=["user", "account", "period", "kind"], name="reading_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} — {self.account} ({self.period:%m.%Y})"


class ReminderPreference(models.Model):
    """A subscriber's choice about reading reminders; without a row, reminders are on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="reading_reminder_preference",
        verbose_name=_("пользователь"),
    )
    enabled = models.BooleanField(_("напоминать о передаче показаний"), default=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("настройка напоминаний о показаниях")
        verbose_name_plural = _("настройки напоминаний о показаниях")

    def __str__(self) -> str:
        return f"{self.user}: {'да' if self.enabled else 'нет'}"


class ReadingMonth(models.Model):
    """A month whose readings an organisation has closed: none is taken for it any more, from any channel.

    Metering keeps this fact itself rather than asking billing's periods (billing builds on metering, not the other
    way round): the month's close writes the row through window.readings_close_month. No row: the month is open.
    """

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="reading_months", verbose_name=_("организация")
    )
    month = models.DateField(_("месяц"), help_text=_("Первое число месяца"))
    closed_at = models.DateTimeField(_("показания закрыты"))

    class Meta:
        verbose_name = _("закрытый месяц показаний")
        verbose_name_plural = _("закрытые месяцы показаний")
        constraints = [models.UniqueConstraint(fields=["organisation", "month"], name="reading_month_once")]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.month:%m.%Y}"


class ReadingTally(models.Model):
    """How many readings of a period count (current, not rejected, not estimated), by channel, for one
    organisation: kept by every write of readings in its own transaction (metering.tally), so the office's month at
    a glance reads a few rows instead of counting a city's meters. `manage.py readings_tally` recounts it."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+", verbose_name=_("организация"))
    period = models.DateField(_("расчётный период"), help_text=_("Первое число месяца"))
    channel = models.CharField(_("способ передачи"), max_length=16, choices=Reading.Channel.choices)
    received = models.IntegerField(_("показаний"), default=0)

    class Meta:
        verbose_name = _("счётчик показаний периода")
        verbose_name_plural = _("счётчики показаний периодов")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "period", "channel"], name="reading_tally_one_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.period:%m.%Y} {self.channel} {self.received}"


class MeterTally(models.Model):
    """How many active meters an organisation has (in flats and on houses): kept by every save of a meter in its
    own transaction (metering.tally), so the office's share of meters read is a read of one row."""

    organisation = models.OneToOneField(
        Organisation, models.CASCADE, related_name="+", verbose_name=_("организация"), primary_key=True
    )
    active = models.IntegerField(_("действующих приборов"), default=0)

    class Meta:
        verbose_name = _("счётчик приборов учёта")
        verbose_name_plural = _("счётчики приборов учёта")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.active}"
