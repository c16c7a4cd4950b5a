"""Linking a chat to a subscriber's cabinet: the profile gives a one-time code (and the bot's deep link with it),
the chat sends it to the bot. A code lives LINK_MINUTES and works once; a chat is linked to one user at a time."""

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from .models import Bot, ChatLink, LinkCode

LINK_MINUTES = 15
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: the code may be typed by hand
CODE_LENGTH = 8


def issue_code(user) -> LinkCode:
    """A fresh code for the profile; the user's earlier unused codes stop working."""
    now = timezone.now()
    LinkCode.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return LinkCode.objects.create(user=user, code=code, expires_at=now + dt.timedelta(minutes=LINK_MINUTES))


def deep_link(bot: Bot, code: str) -> str:
    """The link that opens the bot with the code already in its /start (both messengers read ?start=)."""
    host = "https://t.me" if bot.messenger == "telegram" else "https://max.ru"
    return f"{host}/{bot.username}?start={code}"


def normalised(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[: CODE_LENGTH * 2]


@transaction.atomic
def link_chat(bot: Bot, chat_id: str, text: str) -> ChatLink | None:
    """Link the chat if `text` is a live code; None otherwise (wrong, used or expired: the same answer)."""
    code = (
        LinkCode.objects.select_for_update()
        .filter(code=normalised(text), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if code is None:
        return None
    code.used_at = timezone.now()
    code.save(update_fields=["used_at"])
    link, _ = ChatLink.objects.update_or_create(bot=bot, chat_id=chat_id, defaults={"user": code.user, "state": {}})
    return link


def unlink(link: ChatLink) -> None:
    link.delete()
