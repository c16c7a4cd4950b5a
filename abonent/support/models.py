import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abonent.housing.models import PersonalAccount
from abonent.orgs.models import Organisation

MONEY = {"max_digits": 14, "decimal_places": 2}


class Appeal(models.Model):
    """An обращение of a subscriber to the organisation of one of their accounts, with its thread of messages."""

    class Topic(models.TextChoices):
        READINGS = "readings", _("Показания")
        PAYMENT = "payment", _("Оплата")
        QUALITY = "quality", _("Качество услуг")
        OTHER = "other", _("Другое")

    class Status(models.TextChoices):
        NEW = "new", _("Новое")
        IN_PROGRESS = "in_progress", _("В работе")
        ANSWERED = "answered", _("Ответ дан")
        CLOSED = "closed", _("Закрыто")

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="appeals", verbose_name=_("организация")
    )
    account = models.ForeignKey(PersonalAccount, models.PROTECT, related_name="appeals", verbose_name=_("лицевой счёт"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="appeals", verbose_name=_("автор")
    )
    topic = models.CharField(_("тема"), max_length=16, choices=Topic.choices)
    text = models.TextField(_("текст обращения"))
    contact = models.CharField(_("контакт для ответа"), max_length=200)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_appeals",
        verbose_name=_("исполнитель"),
        limit_choices_to={"is_staff": True},
    )
    created_at = models.DateTimeField(_("поступило"), default=timezone.now, db_index=True)
    answered_at = models.DateTimeField(_("ответ дан"), null=True, blank=True)
    closed_at = models.DateTimeField(_("закрыто"), null=True, blank=True)

    class Meta:
        verbose_name = _("обращение")
        verbose_name_plural = _("обращения")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "created_at"], name="appeal_inbox_idx")]

    def __str__(self) -> str:
        return _("Обращение № %(id)s") % {"id": self.pk}

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def days_open(self, today: dt.date | None = None) -> int:
        """Whole days from receipt to closing (or to the organisation's today while it is open)."""
        tz = self.organisation.tz
        end = self.closed_at.astimezone(tz).date() if self.closed_at else (today or self.organisation.today())
        return (end - self.created_at.astimezone(tz).date()).days


class AppealMessage(models.Model):
    """One message of the thread: the subscriber's, an operator's reply, or an operator's internal note."""

    class Kind(models.TextChoices):
        SUBSCRIBER = "subscriber", _("Абонент")
        REPLY = "reply", _("Ответ организации")
        NOTE = "note", _("Внутренняя заметка")

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="messages", verbose_name=_("обращение"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("автор")
    )
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("текст"))
    created_at = models.DateTimeField(_("время"), default=timezone.now)

    class Meta:
        verbose_name = _("сообщение обращения")
        verbose_name_plural = _("сообщения обращений")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%d.%m.%Y %H:%M}"

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.NOTE


def attachment_path(instance, filename: str) -> str:
    # A random name: the original one is kept in the row, never trusted as a path.
    ext = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(instance.content_type, "bin")
    return f"appeals/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    """A file sent with a subscriber's message, under MEDIA_ROOT (outside the static root), served by a view."""

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="attachments", verbose_name=_("обращение"))
    message = models.ForeignKey(AppealMessage, models.CASCADE, related_name="attachments", verbose_name=_("сообщение"))
    file = models.FileField(_("файл"), upload_to=attachment_path)
    original_name = models.CharField(_("имя файла"), max_length=200)
    content_type = models.CharField(_("тип"), max_length=64)
    size = models.PositiveIntegerField(_("размер, байт"))

    class Meta:
        verbose_name = _("вложение")
        verbose_name_plural = _("вложения")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class AppealTemplate(models.Model):
    """A frequent answer an operator picks instead of typing it again."""

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="appeal_templates", verbose_name=_("организация")
    )
    title = models.CharField(_("название"), max_length=120)
    text = models.TextField(_("текст ответа"))

    class Meta:
        verbose_name = _("шаблон ответа")
        verbose_name_plural = _("шаблоны ответов")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PaidService(models.Model):
    """An item of the organisation's catalogue of paid services (meter replacement, a plumber's visit, ...)."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="paid_services", verbose_name=_("организация")
    )
    name = models.CharField(_("услуга"), max_length=200)
    description = models.TextField(_("описание"), blank=True)
    price = models.DecimalField(_("цена, ₽"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    unit = models.CharField(_("за что"), max_length=60, default="за услугу", blank=True)
    is_active = models.BooleanField(_("принимаются заявки"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("платная услуга")
        verbose_name_plural = _("платные услуги (каталог)")
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="paid_service_price_non_negative",
                violation_error_message=_("Цена не может быть отрицательной."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class PaidServiceRequest(models.Model):
    """A subscriber's request for a paid service: the price is fixed when it is made; the operator may correct it."""

    class Status(models.TextChoices):
        NEW = "new", _("Новая")
        ACCEPTED = "accepted", _("Принята")
        DONE = "done", _("Выполнена")
        CANCELLED = "cancelled", _("Отменена")

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="paid_requests", verbose_name=_("организация")
    )
    account = models.ForeignKey(
        PersonalAccount, models.PROTECT, related_name="paid_requests", verbose_name=_("лицевой счёт")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="paid_requests", verbose_name=_("автор")
    )
    service = models.ForeignKey(PaidService, models.PROTECT, related_name="requests", verbose_name=_("услуга"))
    price = models.DecimalField(_("цена, ₽"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    desired_date = models.DateField(_("желаемая дата"))
    comment = models.TextField(_("комментарий абонента"), blank=True)
    contact = models.CharField(_("контакт"), max_length=200)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True)
    scheduled_date = models.DateField(_("назначенная дата"), null=True, blank=True)
    operator_comment = models.TextField(
        _("ответ абоненту"), blank=True, help_text=_("Виден абоненту на странице заявки.")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_paid_requests",
        verbose_name=_("исполнитель"),
        limit_choices_to={"is_staff": True},
    )
    created_at = models.DateTimeField(_("поступила"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("завершена"), null=True, blank=True)

    class Meta:
        verbose_name = _("заявка на платную услугу")
        verbose_name_plural = _("заявки на платные услуги")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return _("Заявка № %(id)s") % {"id": self.pk}

    def days_open(self, today: dt.date | None = None) -> int:
        tz = self.organisation.tz
        end = self.closed_at.astimezone(tz).date() if self.closed_at else (today or self.organisation.today())
        return (end - self.created_at.astimezone(tz).date()).days


class TypoReport(models.Model):
    """ "Заметили ошибку в тексте?": the fragment a visitor selected on a page, with its surroundings and their
    comment, for the operator who keeps that page's text."""

    TEXT_MAX = 300
    CONTEXT_MAX = 1000
    COMMENT_MAX = 1000
    URL_MAX = 500

    text = models.CharField(_("фрагмент с ошибкой"), max_length=TEXT_MAX)
    context = models.CharField(_("текст вокруг"), max_length=CONTEXT_MAX, blank=True)
    url = models.CharField(_("страница"), max_length=URL_MAX)
    comment = models.CharField(_("комментарий"), max_length=COMMENT_MAX, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="typo_reports",
        verbose_name=_("пользователь"),
    )
    # The organisation whose page it is (its public pages, a subscriber's account pages); none for the site's own.
    organisation = models.ForeignKey(
        Organisation,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="typo_reports",
        verbose_name=_("организация"),
    )
    created_at = models.DateTimeField(_("поступило"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("сообщение об опечатке")
        verbose_name_plural = _("сообщения об опечатках")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return _("Опечатка № %(id)s") % {"id": self.pk}
