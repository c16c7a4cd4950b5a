"""What the operator's office keeps of its own: the roles, the log of actions, the letters to debtors and the
decisions on readings that needed attention. Everything else it shows belongs to the apps below it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abonent.housing.models import PersonalAccount
from abonent.orgs.models import Organisation

MONEY = {"max_digits": 14, "decimal_places": 2}


class Role(models.TextChoices):
    ACCOUNTANT = "accountant", _("Бухгалтер")
    DISPATCHER = "dispatcher", _("Диспетчер")
    AUDITOR = "auditor", _("Аудитор (только просмотр)")
    ADMINISTRATOR = "administrator", _("Администратор организации")


class OfficeRole(models.Model):
    """An operator's role in the office. An operator without one is an auditor: sees, changes nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="office_role", verbose_name=_("оператор")
    )
    role = models.CharField(_("роль"), max_length=16, choices=Role.choices)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("кем")
    )
    set_at = models.DateTimeField(_("назначена"), default=timezone.now)

    class Meta:
        verbose_name = _("роль в офисе")
        verbose_name_plural = _("роли в офисе")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class OfficeAction(models.Model):
    """One thing an operator did in the office: who, what, when, on which account."""

    class Kind(models.TextChoices):
        NOTICE_PRETRIAL = "notice_pretrial", _("Досудебное уведомление должнику")
        NOTICE_RESTRICTION = "notice_restriction", _("Уведомление об ограничении")
        READING_ACCEPTED = "reading_accepted", _("Показание проверено и оставлено")
        READING_REJECTED = "reading_rejected", _("Показание отклонено")
        READING_ENTERED = "reading_entered", _("Показание введено с бланка")
        APPEAL_ANSWERED = "appeal_answered", _("Ответ на обращение")
        REQUEST_CHANGED = "request_changed", _("Заявка на платную услугу изменена")
        OPERATOR_ADDED = "operator_added", _("Добавлен оператор")
        OPERATOR_DEACTIVATED = "operator_deactivated", _("Оператор отключён")
        ROLE_SET = "role_set", _("Назначена роль")
        REPORT_DOWNLOADED = "report_downloaded", _("Выгружен отчёт")
        CYCLE_STEP = "cycle_step", _("Шаг месячного цикла")
        UNMATCHED_RESOLVED = "unmatched_resolved", _("Платёж из реестра зачислен вручную")
        REGISTRY_LAYOUT = "registry_layout", _("Сохранён формат реестра")
        CASH_TAKEN = "cash_taken", _("Платёж принят в кассе")
        CASH_CANCELLED = "cash_cancelled", _("Платёж в кассе отменён")
        NEWS_SAVED = "news_saved", _("Новость записана")
        NEWS_PUBLISHED = "news_published", _("Новость опубликована")
        NEWS_UNPUBLISHED = "news_unpublished", _("Новость снята с публикации")
        NEWS_PINNED = "news_pinned", _("Закрепление новости изменено")

    at = models.DateTimeField(_("время"), default=timezone.now, db_index=True)
    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+", verbose_name=_("организация"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("кто")
    )
    kind = models.CharField(_("действие"), max_length=24, choices=Kind.choices)
    account = models.ForeignKey(
        PersonalAccount, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("лицевой счёт")
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("о ком")
    )
    details = models.TextField(_("подробности"), blank=True)

    class Meta:
        verbose_name = _("действие в офисе")
        verbose_name_plural = _("журнал действий в офисе")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "account", "at"], name="office_action_account"),
            models.Index(fields=["organisation", "actor", "at"], name="office_action_actor"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class DebtNotice(models.Model):
    """A letter to a debtor: the pre-court notice, or the warning of a restriction (ПП 354 п.117–119)."""

    class Kind(models.TextChoices):
        PRETRIAL = "pretrial", _("Досудебное уведомление")
        RESTRICTION = "restriction", _("Предупреждение об ограничении")

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+", verbose_name=_("организация"))
    account = models.ForeignKey(
        PersonalAccount, models.PROTECT, related_name="debt_notices", verbose_name=_("лицевой счёт")
    )

    class Delivery(models.TextChoices):
        # ПП 354 п.119(а): the ways of delivering the warning the rule names
        HAND = "hand", _("вручение под расписку")
        MAIL = "mail", _("заказное письмо с уведомлением о вручении")
        BILL = "bill", _("текст предупреждения в платёжном документе")
        ELECTRONIC = "electronic", _("электронная почта, личный кабинет или ГИС ЖКХ")

    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    debt = models.DecimalField(_("долг на дату письма"), **MONEY)
    issued_on = models.DateField(_("дата письма"))
    pay_by = models.DateField(_("оплатить до"))
    # The restriction warning: how and when it reaches the debtor (the 20 days run from delivery), and the last
    # month billed in the debt (its charges are in it; the payments are counted up to the letter's date).
    delivery = models.CharField(_("способ доставки"), max_length=12, choices=Delivery.choices, blank=True)
    delivered_on = models.DateField(_("дата доставки"), null=True, blank=True)
    billed_through = models.DateField(_("начисления по месяц"), null=True, blank=True)
    emailed_to = models.CharField(_("отправлено на e-mail"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("кто")
    )
    created_at = models.DateTimeField(_("записано"), default=timezone.now)

    class Meta:
        verbose_name = _("письмо должнику")
        verbose_name_plural = _("письма должникам")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} № {self.pk}"


class ReadingReview(models.Model):
    """A reading from the work queue that an operator has looked at and left as it is (it leaves the queue)."""

    reading = models.OneToOneField("metering.Reading", models.CASCADE, related_name="+", verbose_name=_("показание"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("кто")
    )
    reviewed_at = models.DateTimeField(_("когда"), default=timezone.now)

    class Meta:
        verbose_name = _("проверка показания")
        verbose_name_plural = _("проверки показаний")

    def __str__(self) -> str:
        return f"Проверено: {self.reading_id}"
