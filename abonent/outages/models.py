from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from abonent.housing.models import Building
from abonent.orgs.models import Organisation

YEARS = (2000, 2100)


class Outage(models.Model):
    """A planned or emergency outage, or repair works, at some houses of one organisation (seed 002's
    «Карта ремонтных работ»). Times are moments; pages show them in the organisation's own time zone."""

    class Kind(models.TextChoices):
        PLANNED = "planned", _("Плановое отключение")
        EMERGENCY = "emergency", _("Аварийное отключение")
        REPAIR = "repair", _("Ремонтные работы")

    class Resource(models.TextChoices):
        COLD_WATER = "cold_water", _("Холодное водоснабжение")
        HOT_WATER = "hot_water", _("Горячее водоснабжение")
        SEWERAGE = "sewerage", _("Водоотведение")
        HEATING = "heating", _("Отопление")
        ELECTRICITY = "electricity", _("Электроснабжение")
        GAS = "gas", _("Газоснабжение")
        OTHER = "other", _("Другое")

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="outages", verbose_name=_("организация")
    )
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices, default=Kind.PLANNED)
    resource = models.CharField(_("что отключают"), max_length=16, choices=Resource.choices)
    starts_at = models.DateTimeField(_("начало"), help_text=_("Местное время организации."))
    ends_at = models.DateTimeField(_("окончание"), help_text=_("Местное время организации."))
    description = models.TextField(
        _("описание"), max_length=2000, help_text=_("Что делают и что делать жильцам. Обычный текст.")
    )
    buildings = models.ManyToManyField(Building, related_name="outages", verbose_name=_("дома"))
    created_at = models.DateTimeField(_("опубликовано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("отключение")
        verbose_name_plural = _("отключения и ремонтные работы")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["organisation", "ends_at"], name="outage_org_ends_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="outage_ends_after_start",
                violation_error_message=_("Окончание должно быть позже начала."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_resource_display()}"

    def clean(self) -> None:
        # Year 1 or 9999 is a slip of the keyboard, and in a far time zone no moment the database can keep.
        errors = {}
        for name in ("starts_at", "ends_at"):
            value = getattr(self, name)
            if value is not None and not (YEARS[0] <= value.year <= YEARS[1]):
                errors[name] = _("Укажите дату между %(first)s и %(last)s годом.") % {
                    "first": YEARS[0],
                    "last": YEARS[1],
                }
        if errors:
            raise ValidationError(errors)


class OutageNotice(models.Model):
    """The e-mail about an outage a user was sent: one per outage and user, however often the outage is edited."""

    outage = models.ForeignKey(Outage, models.CASCADE, related_name="notices", verbose_name=_("отключение"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("кому"))
    at = models.DateTimeField(_("отправлено"), auto_now_add=True)

    class Meta:
        verbose_name = _("уведомление об отключении")
        verbose_name_plural = _("уведомления об отключениях")
        constraints = [models.UniqueConstraint(fields=["outage", "user"], name="outage_notice_unique")]

    def __str__(self) -> str:
        return f"{self.outage} → {self.user}"
