"""MAX through maxapi: the update as maxapi's models read it, the replies as its Bot sends them (buttons as an
inline keyboard attachment). A bot with its own `api_url` talks to that server (the tests' recorder)."""

from __future__ import annotations

import asyncio
import dataclasses

import aiohttp
from maxapi import Bot as MaxBot
from maxapi.client.default import DefaultConnectionProperties
from maxapi.exceptions.max import MaxApiError
from maxapi.types.attachments.attachment import ButtonsPayload
from maxapi.types.attachments.buttons.callback_button import CallbackButton
from maxapi.types.input_media import InputMediaBuffer
from maxapi.types.updates.bot_started import BotStarted
from maxapi.types.updates.message_callback import MessageCallback
from maxapi.types.updates.message_created import MessageCreated

from .messages import Incoming, Reply
from .models import Bot

SECRET_HEADER = "HTTP_X_MAX_BOT_API_SECRET"


def parsed(data: dict) -> tuple[str, Incoming, str] | None:
    """(update key, the incoming message, callback id or "") — None for updates the bot does not answer. MAX
    numbers no updates: a message is known by its id, a press by its callback id, a start by chat and time."""
    kind = data.get("update_type")
    if kind == "message_created":
        event = MessageCreated.model_validate(data)
        message = event.message
        if message.recipient.chat_type != "dialog" or message.body is None:
            return None
        chat_id = str(message.recipient.chat_id or message.sender.user_id)
        photos = tuple(a.payload.url for a in message.body.attachments or () if a.type == "image" and a.payload.url)
        incoming = Incoming(chat_id=chat_id, text=message.body.text or "", photo_refs=photos)
        return f"m:{message.body.mid}", incoming, ""
    if kind == "message_callback":
        event = MessageCallback.model_validate(data)
        chat_id = event.message.recipient.chat_id if event.message else None
        chat_id = str(chat_id or event.callback.user.user_id)
        return (
            f"c:{event.callback.callback_id}",
            Incoming(chat_id=chat_id, payload=event.callback.payload or ""),
            (event.callback.callback_id),
        )
    if kind == "bot_started":  # the deep link max.ru/<bot>?start=<code> arrives here with the code
        event = BotStarted.model_validate(data)
        text = f"/start {event.payload}" if event.payload else "/start"
        return f"s:{event.chat_id}:{event.timestamp}", Incoming(chat_id=str(event.chat_id), text=text), ""
    return None


def _attachments(reply: Reply) -> list | None:
    if not reply.buttons:
        return None
    rows = [[CallbackButton(text=label, payload=data) for label, data in row] for row in reply.buttons]
    return [ButtonsPayload(buttons=rows).pack()]


def _client(bot: Bot, retries: bool = True) -> MaxBot:
    # A short pause after an upload (maxapi waits for MAX to process a file before sending it) is enough for a PDF.
    # Without `retries` a 5xx fails at once (notices: our job retries them, claimed once).
    connection = None if retries else DefaultConnectionProperties(max_retries=0)
    client = MaxBot(bot.token, auto_requests=False, auto_check_subscriptions=False, after_input_media_delay=0.2,
                    default_connection=connection)  # fmt: skip
    if bot.api_url:
        client.set_api_url(bot.api_url)
    return client


async def _send(bot: Bot, chat_id: str, replies: list[Reply], callback_id: str, retries: bool) -> None:
    client = _client(bot, retries)
    try:
        if callback_id:
            await client.send_callback(callback_id, notification="Принято")
        for reply in replies:
            attachments = _attachments(reply) or []
            if reply.document:
                name, content = reply.document
                attachments.append(InputMediaBuffer(content, filename=name.removesuffix(".pdf")))
            await client.send_message(chat_id=int(chat_id), text=reply.text, attachments=attachments or None)
    finally:
        await client.close_session()


async def _download(refs: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        found = []
        for n, url in enumerate(refs):
            async with session.get(url) as response:
                response.raise_for_status()
                found.append((f"photo-{n + 1}.jpg", await response.read()))
        return tuple(found)


def with_photos(bot: Bot, incoming: Incoming) -> Incoming:
    if not incoming.photo_refs:
        return incoming
    return dataclasses.replace(incoming, photos=asyncio.run(_download(incoming.photo_refs)))


def send(bot: Bot, chat_id: str, replies: list[Reply], callback_id: str = "", retries: bool = True) -> None:
    asyncio.run(_send(bot, chat_id, replies, callback_id, retries))


def refused(exc: Exception) -> bool:
    """MAX refused this message for good (a 4xx: the user blocked the bot, the chat is gone); a 429 (too many
    requests), a 5xx and the network are worth another try."""
    return isinstance(exc, MaxApiError) and 400 <= exc.code < 500 and exc.code != 429


async def _set_webhook(bot: Bot, url: str) -> None:
    client = _client(bot)
    try:
        kinds = ["message_created", "message_callback", "bot_started"]
        await client.subscribe_webhook(url, update_types=kinds, secret=bot.secret)
    finally:
        await client.close_session()


def set_webhook(bot: Bot, url: str) -> None:
    asyncio.run(_set_webhook(bot, url))


async def _updates(bot: Bot, marker: int | None, wait: int) -> tuple[list[dict], int | None]:
    client = _client(bot)
    try:
        if marker is None:  # MAX gives no updates by polling while a webhook subscription exists
            await client.delete_webhook()
        found = await client.get_updates(timeout=wait, marker=marker)
    finally:
        await client.close_session()
    return list(found.get("updates") or []), found.get("marker", marker)


def updates(bot: Bot, marker: int | None, wait: int) -> tuple[list[dict], int | None]:
    """The updates after `marker` by long polling (waiting up to `wait` seconds), and the next marker."""
    return asyncio.run(_updates(bot, marker, wait))
