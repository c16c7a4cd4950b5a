from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from abonent.orgs.models import Organisation

AREA = {"max_digits": 10, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
account_number_validator = RegexValidator(r"^\d{6,30}$", _("Номер лицевого счёта — от 6 до 30 цифр."))


class Building(models.Model):
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="buildings", verbose_name=_("организация")
    )
    address = models.CharField(_("адрес"), max_length=300)
    fias_guid = models.UUIDField(_("ФИАС/ГАР GUID дома"), null=True, blank=True)
    total_area = models.DecimalField(_("общая площадь помещений, м²"), **AREA, default=Decimal("0"))
    common_area = models.DecimalField(_("площадь общего имущества, м²"), **AREA, default=Decimal("0"))
    floors = models.PositiveSmallIntegerField(_("этажей"), null=True, blank=True)
    built_year = models.PositiveSmallIntegerField(_("год постройки"), null=True, blank=True)

    class Meta:
        verbose_name = _("дом")
        verbose_name_plural = _("дома")
        ordering = ["address"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "address"],
                name="building_address_unique_in_org",
                violation_error_message=_("Дом с таким адресом у организации уже есть."),
            ),
            models.CheckConstraint(
                condition=Q(total_area__gte=0) & Q(common_area__gte=0),
                name="building_areas_non_negative",
                violation_error_message=_("Площадь не может быть отрицательной."),
            ),
        ]

    def __str__(self) -> str:
        return self.address


class Premises(models.Model):
    class Ownership(models.TextChoices):
        PRIVATE = "private", _("Частная")
        MUNICIPAL = "municipal", _("Муниципальная")
        STATE = "state", _("Государственная")

    class Kind(models.TextChoices):
        FLAT = "flat", _("Квартира")
        HOUSE = "house", _("Жилой дом")
        NON_RESIDENTIAL = "nonres", _("Нежилое помещение")

    building = models.ForeignKey(Building, models.PROTECT, related_name="premises", verbose_name=_("дом"))
    number = models.CharField(_("номер"), max_length=16, blank=True, help_text=_("Пусто для частного дома"))
    kind = models.CharField(_("вид"), max_length=8, choices=Kind.choices, default=Kind.FLAT)
    total_area = models.DecimalField(_("общая площадь, м²"), **AREA)
    living_area = models.DecimalField(_("жилая площадь, м²"), **AREA, null=True, blank=True)
    ownership = models.CharField(
        _("собственность"), max_length=16, choices=Ownership.choices, default=Ownership.PRIVATE
    )
    residents = models.PositiveSmallIntegerField(_("зарегистрировано жильцов"), default=1)

    class Meta:
        verbose_name = _("помещение")
        verbose_name_plural = _("помещения")
        ordering = ["building__address", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "number"],
                name="premises_number_unique_in_building",
                violation_error_message=_("Помещение с таким номером в доме уже есть."),
            ),
            models.CheckConstraint(
                condition=Q(total_area__gte=0) & (Q(living_area__isnull=True) | Q(living_area__gte=0)),
                name="premises_areas_non_negative",
                violation_error_message=_("Площадь не может быть отрицательной."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.building.address}, кв. {self.number}" if self.number else self.building.address

    @property
    def address(self) -> str:
        return str(self)

    def clean(self) -> None:
        if self.living_area is not None and self.total_area is not None and self.living_area > self.total_area:
            raise ValidationError({"living_area": _("Жилая площадь не может быть больше общей.")})


class PersonalAccount(models.Model):
    """A лицевой счёт: who pays for a premises. Closed, never deleted: billing history hangs on it."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="accounts", verbose_name=_("организация")
    )
    number = models.CharField(_("номер лицевого счёта"), max_length=30, validators=[account_number_validator])
    premises = models.ForeignKey(Premises, models.PROTECT, related_name="accounts", verbose_name=_("помещение"))
    payer_name = models.CharField(_("плательщик (ФИО)"), max_length=200)
    opened_on = models.DateField(_("открыт"))
    closed_on = models.DateField(_("закрыт"), null=True, blank=True)
    activation_code = models.CharField(
        _("код активации"), max_length=14, blank=True, help_text=_("Печатается на квитанции; меняется каждый период")
    )
    els = models.CharField(_("ЕЛС (ГИС ЖКХ)"), max_length=10, blank=True)
    # The идентификатор ЖКУ ГИС ЖКХ assigns to the account's service with this payee (its ЕЛС and a suffix).
    igku = models.CharField(_("ИЖКУ (ГИС ЖКХ)"), max_length=20, blank=True, db_default="")

    class Meta:
        verbose_name = _("лицевой счёт")
        verbose_name_plural = _("лицевые счета")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"],
                name="account_number_unique_in_org",
                violation_error_message=_("Лицевой счёт с таким номером в организации уже есть."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="account_closed_after_opened",
                violation_error_message=_("Дата закрытия не может быть раньше даты открытия."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def clean(self) -> None:
        premises = getattr(self, "premises", None) if self.premises_id else None
        if premises and self.organisation_id and premises.building.organisation_id != self.organisation_id:
            raise ValidationError({"premises": _("Помещение находится в доме другой организации.")})
