"""Notices to linked chats (receipt ready, payment credited, outage at my house, appeal answered), where the user
left them on in the notification settings. Each notice is claimed (BotNotice) before it goes, so it goes at most
once per event and chat; a send the messenger refuses with a server error or never answers releases its claim,
and the job fails so that its retry sends what is left; a refusal for good (the bot blocked) keeps it. Sends are
paced per bot below the messengers' limits (about 30 messages a second)."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .messages import Reply
from .models import BotNotice, ChatLink
from .webhook import ADAPTERS

log = logging.getLogger(__name__)


class NoticeError(Exception):
    """Some notices were not delivered; the retry of the job sends them (the delivered ones are skipped)."""


class Pacer:
    """At most `rate` sends a second for one bot in this process: each send waits for its slot."""

    def __init__(self, rate: float):
        self.interval, self.next_at, self.lock = 1 / rate, 0.0, threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next_at)
            self.next_at = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


_pacers: dict[int, Pacer] = {}


def pacer(bot_id: int) -> Pacer:
    return _pacers.setdefault(bot_id, Pacer(settings.BOTS_SEND_RATE))


def _claim(kind: str, key: str, link: ChatLink) -> BotNotice | None:
    try:
        with transaction.atomic():
            return BotNotice.objects.create(kind=kind, key=key[:100], chat=link)
    except IntegrityError:
        return None  # sent (or being sent) before


def notice_send(*, kind: str, key: str, link: ChatLink, text: str) -> str:
    """ "sent", "skipped" (claimed before) or "failed" (released: the retry sends it)."""
    notice = _claim(kind, key, link)
    if notice is None:
        return "skipped"
    pacer(link.bot_id).wait()
    adapter = ADAPTERS[link.bot.messenger]
    try:
        adapter.send(link.bot, link.chat_id, [Reply(text)], retries=False)
    except Exception as exc:
        log.warning("bot %s: notice %s %s to chat %s failed: %s", link.bot_id, kind, key, link.chat_id, exc)
        if adapter.refused(exc):  # blocked by the user, chat gone: kept claimed, a retry would be refused again
            return "refused"
        notice.delete()  # the messenger unreachable or failing: nothing was delivered, the retry sends it
        return "failed"
    notice.sent_at = timezone.now()
    notice.save(update_fields=["sent_at"])
    return "sent"


def notices_send(*, kind: str, key: str, texts: dict[int, str]) -> dict[str, int]:
    """Send `texts` (chat link id → text) as the notice `kind` of the event `key`; raise NoticeError at the end
    when some failed, after trying all of them."""
    counts = {"sent": 0, "skipped": 0, "refused": 0, "failed": 0}
    links = ChatLink.objects.filter(pk__in=texts, bot__enabled=True).select_related("bot")
    for link in links.order_by("pk"):
        counts[notice_send(kind=kind, key=key, link=link, text=texts[link.pk])] += 1
    if counts["failed"]:
        raise NoticeError(
            f"Не доставлено уведомлений в мессенджер: {counts['failed']} (мессенджер недоступен). "
            "Повторите задание: доставленные не уйдут второй раз."
        )
    return counts
