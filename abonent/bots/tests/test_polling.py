"""Setting the webhook through the library (Telegram's setWebhook, MAX's POST /subscriptions, with our URL and the
secret) and long polling for development: the recorder hands out one update, then nothing; the update is handled
as the webhook would."""

import pytest
from django.core.management import CommandError, call_command

from abonent.bots import linking
from abonent.bots.models import ChatLink, Messenger

from .conftest import texts


def test_bots_webhook_tells_the_messenger_our_url_and_secret(chat, settings):
    settings.SITE_URL = "https://lk.example.ru"
    call_command("bots_webhook", chat.bot.pk)
    url = f"https://lk.example.ru/bots/{chat.bot.messenger}/{chat.bot.pk}/webhook/"
    if chat.bot.messenger == Messenger.TELEGRAM:
        [call] = [c for c in chat.recorder.calls if c["method"] == "setWebhook"][-1:]
        assert call["fields"]["url"] == url and call["fields"]["secret_token"] == chat.bot.secret
    else:
        [call] = [c for c in chat.recorder.calls if c["method"] == "/subscriptions" and c["http"] == "POST"][-1:]
        assert call["fields"]["url"] == url and call["fields"]["secret"] == chat.bot.secret
    with pytest.raises(CommandError, match="Бота с номером 0 нет"):
        call_command("bots_webhook", 0)


def test_run_bot_by_long_polling_handles_the_updates(chat, resident):
    code = linking.issue_code(resident.user)
    chat.recorder.pending[:] = [chat.message(f"/start {code.code}")]
    call_command("run_bot", chat.bot.pk, "--polling", "--until-empty")
    assert ChatLink.objects.get(bot=chat.bot).user == resident.user
    sent = [
        c
        for c in chat.recorder.messages()
        if str(c["query"].get("chat_id") or c["fields"].get("chat_id")) == str(chat.chat_id)
    ]
    assert "Чат привязан к личному кабинету" in texts(sent)
    assert not chat.recorder.pending
