from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The e-mails a subscriber may turn off. Login, password and e-mail confirmation letters are not optional."""

    RECEIPT = "receipt", _("Квитанция готова")
    READINGS_OPENS = "readings_opens", _("Открылся приём показаний")
    READINGS_CLOSES = "readings_closes", _("Приём показаний скоро закончится")
    APPEAL_ANSWER = "appeal_answer", _("Ответ на обращение")
    PAYMENT = "payment", _("Платёж зачислен")
    OUTAGE = "outage", _("Отключения")
    PAID_REQUEST = "paid_request", _("Заявки на платные услуги: смена статуса")


class OptOut(models.Model):
    """A kind of e-mail the user does not want. Everything is on by default, so a row is only an exception."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notification_opt_outs", verbose_name=_("пользователь")
    )
    kind = models.CharField(_("вид уведомления"), max_length=32, choices=Kind.choices)
    at = models.DateTimeField(_("отписался"), auto_now_add=True)

    class Meta:
        verbose_name = _("отказ от уведомлений")
        verbose_name_plural = _("отказы от уведомлений")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_opt_out_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()}"


# The kinds a linked messenger chat can carry (the bots app sends them); the others are e-mail only for now.
CHAT_KINDS = (Kind.RECEIPT, Kind.PAYMENT, Kind.OUTAGE, Kind.APPEAL_ANSWER)


class ChatOptOut(models.Model):
    """A kind of notice the user does not want in their linked messenger chats. On by default like the e-mails:
    linking a chat is the user asking to hear from it, so a row is only an exception."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="chat_opt_outs", verbose_name=_("пользователь")
    )
    kind = models.CharField(_("вид уведомления"), max_length=32, choices=Kind.choices)
    at = models.DateTimeField(_("отказался"), auto_now_add=True)

    class Meta:
        verbose_name = _("отказ от уведомлений в мессенджере")
        verbose_name_plural = _("отказы от уведомлений в мессенджере")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_chat_opt_out_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} (мессенджер)"
