"""A messenger bot of an organisation, the chats linked to subscribers, the one-time codes that link them, and the
updates already handled (a messenger resends an update it thinks was lost: it must change nothing twice)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Messenger(models.TextChoices):
    TELEGRAM = "telegram", "Telegram"
    MAX = "max", "MAX"


def new_secret() -> str:
    # Telegram allows A-Z, a-z, 0-9, _ and - in its secret header, up to 256 characters; MAX takes the same.
    return secrets.token_urlsafe(32)


class Bot(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="bots")
    messenger = models.CharField(_("мессенджер"), max_length=10, choices=Messenger.choices)
    username = models.CharField(_("имя бота"), max_length=64, help_text=_("Без @, например: vodokanal_bot"))
    token = models.CharField(_("токен бота"), max_length=200)
    secret = models.CharField(
        _("секрет вебхука"),
        max_length=64,
        default=new_secret,
        help_text=_("Мессенджер присылает его в заголовке каждого запроса; чужие запросы отклоняются."),
    )
    api_url = models.URLField(
        _("адрес Bot API"),
        blank=True,
        help_text=_("Пусто — сервер мессенджера; свой адрес — для локального сервера Bot API"),
    )
    enabled = models.BooleanField(_("включён"), default=True)

    class Meta:
        verbose_name = _("бот в мессенджере")
        verbose_name_plural = _("боты в мессенджерах")
        constraints = [models.UniqueConstraint(fields=["organisation", "messenger"], name="bots_one_per_messenger")]

    def __str__(self):
        return f"{self.get_messenger_display()} @{self.username}"


class LinkCode(models.Model):
    """A one-time code from the profile: sent to the bot (or opened as its deep link) it links that chat to the
    user. It expires soon and works once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bot_codes")
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"код до {self.expires_at:%d.%m.%Y %H:%M}"


class ChatLink(models.Model):
    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="chats")
    chat_id = models.CharField(max_length=32)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bot_chats")
    linked_at = models.DateTimeField(auto_now_add=True)
    # Where the conversation stands (the meter whose reading is awaited, the value waiting for «Да»).
    state = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("привязанный чат")
        verbose_name_plural = _("привязанные чаты")
        constraints = [models.UniqueConstraint(fields=["bot", "chat_id"], name="bots_one_user_per_chat")]

    def __str__(self):
        return f"{self.bot} · чат {self.chat_id}"


class HandledUpdate(models.Model):
    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)  # Telegram's update_id; MAX's message id or callback id
    handled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bot", "key"], name="bots_update_once")]

    def __str__(self):
        return self.key


class BotNotice(models.Model):
    """One notice of one event to one linked chat, claimed before it is sent: a rerun of the job skips it, so it
    goes at most once. A send that fails (the messenger unreachable, a 5xx) deletes the claim: the job's retry
    sends it again."""

    kind = models.CharField(max_length=32)  # notifications.Kind: receipt, payment, outage, appeal_answer
    key = models.CharField(max_length=100)  # the event: "period:<id>", "payment:<id>", "outage:<id>", "answer:<id>"
    chat = models.ForeignKey(ChatLink, on_delete=models.CASCADE, related_name="notices")
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key", "chat"], name="bots_notice_once")]

    def __str__(self):
        return f"{self.kind} {self.key} → {self.chat}"
