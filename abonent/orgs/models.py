import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import validators
from .dates import month_end

# The zones a Russian organisation may be in; the full list is accepted, these come first in forms.
RUSSIAN_TIMEZONES = [
    ("Europe/Kaliningrad", "Калининград (UTC+2)"),
    ("Europe/Moscow", "Москва (UTC+3)"),
    ("Europe/Samara", "Самара (UTC+4)"),
    ("Europe/Ulyanovsk", "Ульяновск (UTC+4)"),
    ("Asia/Yekaterinburg", "Екатеринбург, Уфа (UTC+5)"),
    ("Asia/Omsk", "Омск (UTC+6)"),
    ("Asia/Novosibirsk", "Новосибирск (UTC+7)"),
    ("Asia/Krasnoyarsk", "Красноярск (UTC+7)"),
    ("Asia/Irkutsk", "Иркутск (UTC+8)"),
    ("Asia/Yakutsk", "Якутск (UTC+9)"),
    ("Asia/Vladivostok", "Владивосток (UTC+10)"),
    ("Asia/Magadan", "Магадан (UTC+11)"),
    ("Asia/Kamchatka", "Камчатка (UTC+12)"),
]
DAY_OF_MONTH = [MinValueValidator(1), MaxValueValidator(31)]


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Неизвестный часовой пояс: %(tz)s."), params={"tz": value})


class Organisation(models.Model):
    """An исполнитель (vodokanal, теплосеть, УК, ТСЖ): its requisites and the settings of its monthly cycle."""

    class Kind(models.TextChoices):
        UTILITY = "utility", _("Ресурсоснабжающая организация")
        MANAGEMENT = "management", _("Управляющая компания / ТСЖ")

    class BillingMode(models.TextChoices):
        OWN = "own", _("Собственный расчёт (Абонент считает начисления)")
        # The organisation keeps its billing system: the month's figures come from its file (abonent.exchange).
        EXTERNAL = "external", _("Внешний биллинг (начисления загружаются из файла)")

    code = models.SlugField(_("код"), max_length=32, unique=True, help_text=_("Латиница, для команд и адресов"))
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices, default=Kind.MANAGEMENT)
    name = models.CharField(_("полное наименование"), max_length=300)
    short_name = models.CharField(_("краткое наименование"), max_length=160)
    inn = models.CharField(_("ИНН"), max_length=12, validators=[validators.validate_inn])
    kpp = models.CharField(_("КПП"), max_length=9, blank=True, validators=[validators.validate_kpp])
    ogrn = models.CharField(_("ОГРН"), max_length=15, blank=True, validators=[validators.validate_ogrn])
    legal_address = models.CharField(_("юридический адрес"), max_length=300)
    office_address = models.CharField(_("адрес офиса для абонентов"), max_length=300, blank=True)
    phone = models.CharField(_("телефон"), max_length=64)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("сайт"), blank=True)
    office_hours = models.TextField(_("часы приёма"), blank=True, help_text=_("Например: пн–пт 8:00–18:00"))

    bank_name = models.CharField(_("банк"), max_length=160)
    bik = models.CharField(_("БИК"), max_length=9, validators=[validators.validate_bik])
    correspondent_account = models.CharField(_("корреспондентский счёт"), max_length=20)
    settlement_account = models.CharField(_("расчётный счёт"), max_length=20)

    timezone = models.CharField(
        _("часовой пояс"), max_length=64, default="Europe/Moscow", validators=[validate_timezone]
    )
    readings_first_day = models.PositiveSmallIntegerField(
        _("приём показаний с (число)"), default=23, validators=DAY_OF_MONTH
    )
    readings_last_day = models.PositiveSmallIntegerField(
        _("приём показаний по (число)"), default=25, validators=DAY_OF_MONTH
    )
    receipt_issue_day = models.PositiveSmallIntegerField(
        _("день выпуска квитанций"), default=5, validators=DAY_OF_MONTH
    )
    payment_due_day = models.PositiveSmallIntegerField(
        _("оплата до (число следующего месяца)"),
        default=15,
        validators=DAY_OF_MONTH,
        help_text=_("С 01.03.2026 — 15-е число (ЖК РФ ст.155); для более ранних периодов — 10-е."),
    )
    multiplying_factor = models.DecimalField(
        _("повышающий коэффициент"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.50"),
        validators=[MinValueValidator(Decimal("1"))],
        help_text=_("К нормативу при отсутствии прибора учёта, который можно установить."),
    )
    notice = models.TextField(_("объявление на главной"), blank=True)
    billing_mode = models.CharField(
        _("расчёт начислений"),
        max_length=16,
        choices=BillingMode.choices,
        default=BillingMode.OWN,
        # in the database too: a row written by an older migration's model (the migration tests) gets it as well
        db_default=BillingMode.OWN,
        help_text=_("Во внешнем биллинге месяц не рассчитывается: его цифры загружаются из файла биллинга."),
    )

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["short_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(readings_first_day__gte=1)
                & Q(readings_first_day__lte=31)
                & Q(readings_last_day__gte=1)
                & Q(readings_last_day__lte=31)
                & Q(readings_first_day__lte=models.F("readings_last_day")),
                name="org_readings_window_valid",
                violation_error_message=_("Окно приёма показаний: первый день не позже последнего, оба 1–31."),
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    def clean(self) -> None:
        errors = validators.bank_details_errors(self)
        if self.readings_first_day and self.readings_last_day and self.readings_first_day > self.readings_last_day:
            errors["readings_last_day"] = [_("Последний день приёма показаний не может быть раньше первого.")]
        if errors:
            raise ValidationError(errors)

    # --- local time: every "today" of the business is the organisation's, never the server's ---
    @property
    def external_billing(self) -> bool:
        return self.billing_mode == self.BillingMode.EXTERNAL

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_now(self) -> dt.datetime:
        return timezone.now().astimezone(self.tz)

    def today(self) -> dt.date:
        return self.local_now().date()

    def readings_window(self, month: dt.date) -> tuple[dt.date, dt.date]:
        """First and last day on which readings for the month `month` are taken (clamped to its length)."""
        last_of_month = month_end(month)
        first = month.replace(day=min(self.readings_first_day, last_of_month.day))
        last = month.replace(day=min(self.readings_last_day, last_of_month.day))
        return first, last


class Supplier(models.Model):
    """A legal entity whose services an organisation puts on its ЕПД: a resource supplier (РСО), the regional
    operator of waste removal, the capital repair fund. Each service names its supplier (none — the organisation
    itself) and whether the organisation collects for it as an agent or the subscriber pays the supplier directly.
    Its requisites are checked by the same rules as the organisation's (validators.py)."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="suppliers", verbose_name=_("организация")
    )
    name = models.CharField(_("полное наименование"), max_length=300)
    short_name = models.CharField(_("краткое наименование"), max_length=160)
    inn = models.CharField(_("ИНН"), max_length=12, validators=[validators.validate_inn])
    kpp = models.CharField(_("КПП"), max_length=9, blank=True, validators=[validators.validate_kpp])
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    phone = models.CharField(_("телефон"), max_length=64, blank=True)
    bank_name = models.CharField(_("банк"), max_length=160)
    bik = models.CharField(_("БИК"), max_length=9, validators=[validators.validate_bik])
    correspondent_account = models.CharField(_("корреспондентский счёт"), max_length=20)
    settlement_account = models.CharField(_("расчётный счёт"), max_length=20)
    agent_fee_percent = models.DecimalField(
        _("вознаграждение агента, %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Доля собранного, которую организация удерживает по агентскому договору; пусто — не указана."),
    )

    class Meta:
        verbose_name = _("поставщик услуг")
        verbose_name_plural = _("поставщики услуг")
        ordering = ["organisation_id", "short_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "inn", "kpp"],
                name="supplier_unique_in_org",
                violation_error_message=_("Поставщик с такими ИНН и КПП в организации уже есть."),
            ),
            models.CheckConstraint(
                condition=Q(agent_fee_percent__isnull=True)
                | (Q(agent_fee_percent__gte=0) & Q(agent_fee_percent__lte=100)),
                name="supplier_fee_percent_range",
                violation_error_message=_("Вознаграждение агента — от 0 до 100 %."),
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    def clean(self) -> None:
        errors = validators.bank_details_errors(self)
        if errors:
            raise ValidationError(errors)
