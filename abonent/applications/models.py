import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abonent.housing.models import account_number_validator
from abonent.orgs.models import Organisation


def new_token() -> str:
    # The applicant's only key to the status page: unguessable, as a password-reset link is.
    return secrets.token_urlsafe(24)


class CabinetApplication(models.Model):
    """Seed 000: a subscriber asks to be connected to the cabinet, with scans of documents proving the account is
    theirs; the operator checks them and issues a login (users.services.operator_access_issue) or refuses."""

    class Status(models.TextChoices):
        NEW = "new", _("На рассмотрении")
        ACCEPTED = "accepted", _("Доступ выдан")
        REFUSED = "refused", _("Отказано")

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="cabinet_applications", verbose_name=_("организация")
    )
    account_number = models.CharField(_("номер лицевого счёта"), max_length=30, validators=[account_number_validator])
    full_name = models.CharField(_("ФИО"), max_length=200)
    email = models.EmailField(_("e-mail для ответа"), max_length=254)
    phone = models.CharField(_("телефон"), max_length=20)
    address = models.CharField(_("адрес"), max_length=300)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.NEW)
    refusal_reason = models.TextField(_("причина отказа"), blank=True, max_length=2000)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("выданный логин"),
    )
    created_at = models.DateTimeField(_("подано"), auto_now_add=True)
    decided_at = models.DateTimeField(_("рассмотрено"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто рассмотрел"),
    )

    class Meta:
        verbose_name = _("заявление на подключение к личному кабинету")
        verbose_name_plural = _("заявления на подключение к личному кабинету")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"№ {self.pk}: {self.full_name}, л/с {self.account_number}"


class ConnectionApplication(models.Model):
    """Seed 002 «Присоединение новых объектов»: an application to connect a building to the water, sewerage or
    heat networks, its status moved on by the operator with a comment the applicant reads and is mailed."""

    class Kind(models.TextChoices):
        WATER = "water", _("Водоснабжение")
        SEWERAGE = "sewerage", _("Водоотведение")
        HEAT = "heat", _("Теплоснабжение")

    class Status(models.TextChoices):
        NEW = "new", _("На рассмотрении")
        IN_WORK = "in_work", _("В работе")
        CONDITIONS = "conditions", _("Выданы технические условия")
        CONTRACT = "contract", _("Заключён договор о подключении")
        DONE = "done", _("Объект подключён")
        REFUSED = "refused", _("Отказано")

    UNITS = {Kind.WATER: "м³/сут", Kind.SEWERAGE: "м³/сут", Kind.HEAT: "Гкал/ч"}

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="connection_applications", verbose_name=_("организация")
    )
    applicant = models.CharField(_("заявитель (ФИО или организация)"), max_length=300)
    email = models.EmailField(_("e-mail для ответа"), max_length=254)
    phone = models.CharField(_("телефон"), max_length=20)
    object_address = models.CharField(_("адрес объекта"), max_length=300)
    kind = models.CharField(_("вид подключения"), max_length=16, choices=Kind.choices)
    load = models.DecimalField(
        _("запрашиваемая нагрузка"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"), _("Нагрузка должна быть больше нуля."))],
        help_text=_("м³/сут для воды и стоков, Гкал/ч для тепла"),
    )
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.NEW)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("абонент")
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("подано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("заявка на подключение объекта")
        verbose_name_plural = _("заявки на подключение объектов")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(load__gt=0), name="connection_load_positive")]

    def __str__(self) -> str:
        return f"№ {self.pk}: {self.object_address}"

    @property
    def unit(self) -> str:
        return self.UNITS.get(self.kind, "")


class ConnectionStatusChange(models.Model):
    """What the operator told the applicant, status by status: the history on the status page."""

    application = models.ForeignKey(
        ConnectionApplication, models.CASCADE, related_name="changes", verbose_name=_("заявка")
    )
    status = models.CharField(_("статус"), max_length=16, choices=ConnectionApplication.Status.choices)
    comment = models.TextField(_("комментарий"), max_length=2000, blank=True)
    at = models.DateTimeField(_("когда"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("кто")
    )

    class Meta:
        verbose_name = _("смена статуса заявки")
        verbose_name_plural = _("смены статуса заявок")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.get_status_display()}"


def document_path(instance, filename: str) -> str:
    # A random name: the original one is kept in the row, never trusted as a path.
    ext = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(instance.content_type, "bin")
    return f"applications/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Document(models.Model):
    """A scan sent with an application, under MEDIA_ROOT; only the organisation's operators can open it."""

    cabinet_application = models.ForeignKey(
        CabinetApplication, models.CASCADE, null=True, blank=True, related_name="documents"
    )
    connection_application = models.ForeignKey(
        ConnectionApplication, models.CASCADE, null=True, blank=True, related_name="documents"
    )
    file = models.FileField(_("файл"), upload_to=document_path)
    original_name = models.CharField(_("имя файла"), max_length=200)
    content_type = models.CharField(_("тип"), max_length=64)
    size = models.PositiveIntegerField(_("размер, байт"))

    class Meta:
        verbose_name = _("документ")
        verbose_name_plural = _("документы")
        constraints = [
            models.CheckConstraint(
                condition=Q(cabinet_application__isnull=True, connection_application__isnull=False)
                | Q(cabinet_application__isnull=False, connection_application__isnull=True),
                name="document_of_one_application",
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def organisation_id(self) -> int:
        return (self.cabinet_application or self.connection_application).organisation_id
