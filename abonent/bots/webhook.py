"""One update from a messenger, start to end: the secret checked, the update parsed by the messenger's library,
handled once (a resent update changes nothing twice), answered through the messenger's Bot API. Anything
unexpected becomes a Russian apology in the chat, never an error the messenger would resend forever."""

from __future__ import annotations

import hmac
import logging

from django.db import IntegrityError, transaction

from . import dialog, max_bot, telegram
from .messages import Reply
from .models import Bot, HandledUpdate, Messenger

log = logging.getLogger(__name__)
ADAPTERS = {Messenger.TELEGRAM: telegram, Messenger.MAX: max_bot}
SORRY = "Не получилось выполнить запрос. Попробуйте ещё раз чуть позже или воспользуйтесь личным кабинетом."


def secret_ok(bot: Bot, headers) -> bool:
    given = headers.get(ADAPTERS[bot.messenger].SECRET_HEADER, "")
    return bool(given) and hmac.compare_digest(given.encode(), bot.secret.encode())


def _first_time(bot: Bot, key: str) -> bool:
    try:
        with transaction.atomic():
            HandledUpdate.objects.create(bot=bot, key=key[:100])
    except IntegrityError:
        return False
    return True


def process(bot: Bot, data: dict) -> None:
    adapter = ADAPTERS[bot.messenger]
    try:
        found = adapter.parsed(data)
    except ValueError:  # pydantic's ValidationError: not an update of this messenger
        log.warning("bot %s: an update that does not parse", bot.pk)
        return
    if found is None:
        return
    key, incoming, callback_id = found
    if not _first_time(bot, key):
        return
    try:
        replies = dialog.handle(bot, adapter.with_photos(bot, incoming))
    except Exception:  # the user gets an apology; the operator the traceback in the log
        log.exception("bot %s: update %s failed", bot.pk, key)
        replies = [Reply(SORRY)]
    try:
        adapter.send(bot, incoming.chat_id, replies, callback_id)
    except Exception:  # the messenger unreachable: the update is handled, the answer is lost; logged
        log.exception("bot %s: the answer to update %s was not sent", bot.pk, key)
