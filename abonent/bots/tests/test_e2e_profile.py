"""In a browser: «Мой профиль» → «Мессенджеры» → «Получить код»; the code sent to the bot through its webhook
(real HTTP to the live server, as the messenger posts it); the chat listed after a reload, then «Отвязать»."""

import json
import urllib.request

import pytest
from django.conf import settings
from django.test import Client

from abonent.bots.models import Bot, ChatLink, Messenger

from .conftest import Chat, Resident

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _post_update(live_server, chat: Chat, update: dict) -> int:
    request = urllib.request.Request(
        live_server.url + chat.url, json.dumps(update).encode(), method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": chat.bot.secret},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def test_link_a_chat_from_the_profile_and_unlink_it(live_server, page, recorders):
    resident = Resident()
    recorder = recorders[Messenger.TELEGRAM]
    bot = Bot.objects.create(organisation=resident.org, messenger=Messenger.TELEGRAM, username="vodokanal_bot",
                             token="123456:TEST-token", api_url=recorder.url)  # fmt: skip
    client = Client()
    client.force_login(resident.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.goto(live_server.url + "/cabinet/")
    page.click("text=Мой профиль")
    page.click("text=Мессенджеры")
    page.click("button:has-text('Получить код')")
    code = page.locator("#link-code").inner_text()
    assert page.locator("a[href$='?start=" + code + "']").count() == 1
    chat = Chat(bot, recorder, chat_id=424242)
    assert _post_update(live_server, chat, chat.message(f"/start {code}")) == 200
    page.reload()
    row = page.locator("tr", has_text="@vodokanal_bot")
    row.wait_for()
    row.locator("button:has-text('Отвязать')").click()
    page.locator("text=Чат отвязан от личного кабинета.").wait_for()
    assert "Привязанных чатов нет" in page.inner_text("body")
    assert not ChatLink.objects.exists()
