"""What the exchange keeps: each organisation's column mapping, and every file imported (the audit: who, when, the
file itself, its checksum and counts) with the lines of each accepted month version."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abonent.orgs.models import Organisation

from . import register_layouts
from .layouts import ENCODINGS, layout_choices

MONEY = {"max_digits": 14, "decimal_places": 2}


class BillingMapping(models.Model):
    """How an organisation's billing writes its month file: set once, used by every import and export."""

    organisation = models.OneToOneField(
        Organisation, models.CASCADE, related_name="billing_mapping", verbose_name=_("организация")
    )
    preset = models.CharField(_("формат колонок"), max_length=32, choices=layout_choices(), default="abonent")
    columns = models.JSONField(
        _("свои заголовки колонок"),
        default=dict,
        blank=True,
        help_text=_('Поле → заголовок, если биллинг называет колонку иначе, чем формат: {"to_pay": "Итого"}'),
    )
    encoding = models.CharField(
        _("кодировка"),
        max_length=8,
        choices=[(e, "определять по файлу" if e == "auto" else e) for e in ENCODINGS],
        default="auto",
    )
    register_preset = models.CharField(
        _("формат колонок реестра"),
        max_length=32,
        choices=register_layouts.layout_choices(),
        default="abonent",
        help_text=_("Файл домов, помещений, лицевых счетов и приборов учёта"),
    )
    register_columns = models.JSONField(
        _("свои заголовки колонок реестра"),
        default=dict,
        blank=True,
        help_text=_('Поле → заголовок: {"payer": "ФИО"}'),
    )

    class Meta:
        verbose_name = _("настройка обмена с биллингом")
        verbose_name_plural = _("настройки обмена с биллингом")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.preset}"


class ExchangeFile(models.Model):
    """One file received or refused: kept whole so it can be downloaded again."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Месяц из биллинга")
        READINGS = "readings", _("Показания для биллинга")
        PAYMENTS = "payments", _("Платежи для биллинга")
        DEBT_REGISTRY = "debt_registry", _("Реестр задолженности для банка")
        BANK_STATEMENT = "bank_statement", _("Банковская выписка (1CClientBankExchange)")
        REGISTER = "register", _("Реестр из биллинга (дома, помещения, счета, приборы)")
        GIS_EXPORT = "gis_export", _("Выгрузка для ГИС ЖКХ (шаблон XLSX)")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Принят")
        EXPORTED = "exported", _("Выгружен")
        REFUSED = "refused", _("Отказан")

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="exchange_files", verbose_name=_("организация")
    )
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices, default=Kind.MONTH)
    month = models.DateField(_("месяц"), null=True, blank=True)
    version = models.PositiveIntegerField(_("версия месяца"), null=True, blank=True)
    is_current = models.BooleanField(_("действующая версия"), default=False)
    status = models.CharField(_("результат"), max_length=16, choices=Status.choices)
    file_name = models.CharField(_("файл"), max_length=255)
    content = models.BinaryField(_("содержимое"))
    checksum = models.CharField(_("SHA-256"), max_length=64)
    file_format = models.CharField(_("формат"), max_length=8)
    encoding = models.CharField(_("кодировка"), max_length=16, blank=True)
    lines = models.PositiveIntegerField(_("строк"), default=0)
    accounts = models.PositiveIntegerField(_("счетов"), default=0)
    total_to_pay = models.DecimalField(_("к оплате всего"), **MONEY, default=0)
    missing_accounts = models.TextField(_("счета, которых нет в файле"), blank=True)
    errors = models.TextField(_("ошибки"), blank=True)
    channel = models.CharField(_("канал"), max_length=16, default="command")
    # An export's last row id: "since the last export" starts after it.
    high_water = models.BigIntegerField(_("последняя выгруженная запись"), null=True, blank=True)
    parameters = models.CharField(_("параметры выгрузки"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("кто")
    )
    created_at = models.DateTimeField(_("когда"), default=timezone.now)

    class Meta:
        verbose_name = _("файл обмена")
        verbose_name_plural = _("файлы обмена")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "month", "version"],
                condition=models.Q(status="accepted"),
                name="exchange_one_version_number",
            ),
            models.UniqueConstraint(
                fields=["organisation", "kind", "month"],
                condition=models.Q(is_current=True),
                name="exchange_one_current_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class ImportedLine(models.Model):
    """A line of an accepted month version, as the file gave it: old versions stay, only one is current."""

    file = models.ForeignKey(ExchangeFile, models.CASCADE, related_name="imported_lines", verbose_name=_("файл"))
    line_no = models.PositiveIntegerField(_("строка"))
    # No index on the account and the service: nothing reads the lines by them (a version is read by its file),
    # and a city's month writes a million lines, each index a part of that cost.
    account = models.ForeignKey("housing.PersonalAccount", models.PROTECT, related_name="+", db_index=False)
    service = models.ForeignKey("billing.Service", models.PROTECT, related_name="+", db_index=False)
    unit = models.CharField(_("единица"), max_length=16, blank=True)
    volume = models.DecimalField(_("объём"), max_digits=18, decimal_places=6)
    tariff = models.DecimalField(_("тариф"), max_digits=14, decimal_places=4)
    charged = models.DecimalField(_("начислено"), **MONEY)
    recalculation = models.DecimalField(_("перерасчёт"), **MONEY)
    penalties = models.DecimalField(_("пени"), **MONEY)
    opening = models.DecimalField(_("входящее сальдо"), **MONEY)
    paid = models.DecimalField(_("оплачено"), **MONEY)
    to_pay = models.DecimalField(_("к оплате"), **MONEY)

    class Meta:
        verbose_name = _("строка месяца из биллинга")
        verbose_name_plural = _("строки месяца из биллинга")
        ordering = ["file_id", "line_no"]

    def __str__(self) -> str:
        return f"строка {self.line_no}: {self.to_pay}"


class ExchangeToken(models.Model):
    """A token an organisation's billing uses to send files over HTTP. Only its SHA-256 is stored: the token itself
    is shown once, when issued (tokens.token_issue)."""

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="exchange_tokens", verbose_name=_("организация")
    )
    label = models.CharField(_("для чего"), max_length=120, blank=True)
    digest = models.CharField(_("SHA-256 токена"), max_length=64, unique=True)
    is_active = models.BooleanField(_("действует"), default=True)
    created_at = models.DateTimeField(_("выпущен"), default=timezone.now)

    class Meta:
        verbose_name = _("токен обмена")
        verbose_name_plural = _("токены обмена")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.label or self.digest[:8]}"
