import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from abonent.metering.models import Resource
from abonent.orgs.dates import month_label
from abonent.orgs.models import Organisation

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
    sort_order = models.PositiveSmallIntegerField(_("порядок в квитанции"), default=100)
    is_active = models.BooleanField(_("начисляется"), default=True)

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

    def clean(self) -> None:
        needs_resource = self.method in (self.Method.METER, self.Method.COMMON_HOUSE)
        if needs_resource and not self.resource:
            raise ValidationError({"resource": _("Укажите ресурс: для этого способа расчёта он обязателен.")})


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

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Дата окончания раньше даты начала.")})
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
        return f"{self.service}: {self.price} ₽ {self.period_label}"


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
        return f"{self.service}: {self.value} {self.service.unit} {self.get_basis_display()} {self.period_label}"


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
