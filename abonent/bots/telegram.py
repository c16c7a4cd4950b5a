"""Telegram through aiogram: the update as aiogram reads it (`Update.model_validate`), the replies as its Bot
sends them. A bot with its own `api_url` talks to that Bot API server (a local one, or the tests' recorder)."""

from __future__ import annotations

import asyncio
import dataclasses

from aiogram import Bot as AiogramBot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramNotFound
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Update

from .messages import Incoming, Reply
from .models import Bot

SECRET_HEADER = "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"


def parsed(data: dict) -> tuple[str, Incoming, str] | None:
    """(update key, the incoming message, callback id or "") — None for an update the bot does not answer
    (an edited message, a channel post...)."""
    update = Update.model_validate(data)
    key = str(update.update_id)
    message = update.message
    if message is not None and message.chat.type == "private":
        photos = (message.photo[-1].file_id,) if message.photo else ()  # the largest size Telegram made
        text = message.text or message.caption or ""
        return key, Incoming(chat_id=str(message.chat.id), text=text, photo_refs=photos), ""
    query = update.callback_query
    if query is not None:
        # In a private chat the chat's id is the user's; the message may be too old for Telegram to send it.
        return key, Incoming(chat_id=str(query.from_user.id), payload=query.data or ""), query.id
    return None


def _markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    rows = [[InlineKeyboardButton(text=label, callback_data=data) for label, data in row] for row in reply.buttons]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _client(bot: Bot) -> AiogramBot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(bot.api_url)) if bot.api_url else AiohttpSession()
    return AiogramBot(bot.token, session=session)


async def _send(bot: Bot, chat_id: str, replies: list[Reply], callback_id: str) -> None:
    async with _client(bot) as client:
        if callback_id:
            await client.answer_callback_query(callback_id)
        for reply in replies:
            if reply.document:
                name, content = reply.document
                file = BufferedInputFile(content, filename=name)
                await client.send_document(int(chat_id), file, caption=reply.text, reply_markup=_markup(reply))
            else:
                await client.send_message(int(chat_id), reply.text, reply_markup=_markup(reply))


async def _download(bot: Bot, refs: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    async with _client(bot) as client:
        found = []
        for n, ref in enumerate(refs):
            found.append((f"photo-{n + 1}.jpg", (await client.download(ref)).getvalue()))
        return tuple(found)


def with_photos(bot: Bot, incoming: Incoming) -> Incoming:
    if not incoming.photo_refs:
        return incoming
    return dataclasses.replace(incoming, photos=asyncio.run(_download(bot, incoming.photo_refs)))


def send(bot: Bot, chat_id: str, replies: list[Reply], callback_id: str = "", retries: bool = True) -> None:
    # aiogram's session does not retry by itself: `retries` (used by max_bot) changes nothing here.
    asyncio.run(_send(bot, chat_id, replies, callback_id))


def refused(exc: Exception) -> bool:
    """Telegram refused this message for good (the user blocked the bot, the chat is gone): sending it again will
    not help, unlike a 5xx or the network."""
    return isinstance(exc, (TelegramForbiddenError, TelegramBadRequest, TelegramNotFound))


async def _set_webhook(bot: Bot, url: str) -> None:
    async with _client(bot) as client:
        await client.set_webhook(url, secret_token=bot.secret, allowed_updates=["message", "callback_query"])


def set_webhook(bot: Bot, url: str) -> None:
    asyncio.run(_set_webhook(bot, url))


async def _updates(bot: Bot, offset: int | None, wait: int) -> tuple[list[dict], int | None]:
    async with _client(bot) as client:
        if offset is None:  # Telegram gives no updates by polling while a webhook is set
            await client.delete_webhook()
        found = await client.get_updates(offset=offset, timeout=wait, request_timeout=wait + 10)
    data = [u.model_dump(mode="json", exclude_none=True, by_alias=True) for u in found]
    return data, (max(u.update_id for u in found) + 1 if found else offset)


def updates(bot: Bot, offset: int | None, wait: int) -> tuple[list[dict], int | None]:
    """The updates after `offset` by long polling (waiting up to `wait` seconds), and the next offset."""
    return asyncio.run(_updates(bot, offset, wait))
