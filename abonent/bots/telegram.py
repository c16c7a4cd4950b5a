"""Telegram through aiogram: the update as aiogram reads it (`Update.model_validate`), the replies as its Bot
sends them. A bot with its own `api_url` talks to that Bot API server (a local one, or the tests' recorder)."""

from __future__ import annotations

import asyncio

from aiogram import Bot as AiogramBot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Update

from .messages import Incoming, Reply
from .models import Bot

SECRET_HEADER = "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"


def parsed(data: dict) -> tuple[str, Incoming, str] | None:
    """(update key, the incoming message, callback id or "") — None for an update the bot does not answer
    (an edited message, a channel post...)."""
    update = Update.model_validate(data)
    key = str(update.update_id)
    if update.message is not None and update.message.chat.type == "private":
        return key, Incoming(chat_id=str(update.message.chat.id), text=update.message.text or ""), ""
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


async def _send(bot: Bot, chat_id: str, replies: list[Reply], callback_id: str) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(bot.api_url)) if bot.api_url else AiohttpSession()
    async with AiogramBot(bot.token, session=session) as client:
        if callback_id:
            await client.answer_callback_query(callback_id)
        for reply in replies:
            await client.send_message(int(chat_id), reply.text, reply_markup=_markup(reply))


def send(bot: Bot, chat_id: str, replies: list[Reply], callback_id: str = "") -> None:
    asyncio.run(_send(bot, chat_id, replies, callback_id))
