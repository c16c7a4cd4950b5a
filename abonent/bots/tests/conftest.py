"""Two messengers' bots of one organisation, each talking to its own local recorder of the Bot API, and a resident
with an account (billing's three published months) and a cold-water meter; updates are posted to our webhook as
the messenger posts them (JSON, the secret header), so every test goes through the library's parsing and sending."""

import datetime as dt
import itertools
import json

import pytest
from django.test import Client

from abonent.billing.tests.test_statements import _setup
from abonent.bots.models import Bot, Messenger
from abonent.testing import factories as f

from . import fake_api

# In the readings window of November 2026 (the factories' organisation: days 7–25, Europe/Ulyanovsk).
IN_WINDOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
_ids = itertools.count(1000)


@pytest.fixture(scope="session")
def recorders():
    servers = {
        Messenger.TELEGRAM: fake_api.start(fake_api.telegram_answer),
        Messenger.MAX: fake_api.start(fake_api.max_answer),
    }
    yield servers
    for server in servers.values():
        server.shutdown()


class Resident:
    def __init__(self):
        self.org, self.account, self.user, self.period = _setup(3)
        self.meter = f.MeterFactory(premises=self.account.premises)


def _user(chat: int) -> dict:
    return {"id": chat, "is_bot": False, "first_name": "Иван"}


class Chat:
    """One person's chat with the bot of one messenger."""

    def __init__(self, bot: Bot, recorder, chat_id: int):
        self.bot, self.recorder, self.chat_id, self.client = bot, recorder, chat_id, Client()

    @property
    def url(self) -> str:
        return f"/bots/{self.bot.messenger}/{self.bot.pk}/webhook/"

    def post(self, update: dict, secret: str | None = None):
        header = (
            "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"
            if self.bot.messenger == Messenger.TELEGRAM
            else "HTTP_X_MAX_BOT_API_SECRET"
        )
        return self.client.post(
            self.url, update, content_type="application/json", **{header: secret or self.bot.secret}
        )

    def say(self, text: str) -> list[dict]:
        return self._answers(self.post(self.message(text)))

    def press(self, payload: str) -> list[dict]:
        return self._answers(self.post(self.button(payload)))

    def _answers(self, response) -> list[dict]:
        assert response.status_code == 200, response.content
        sent = [
            c
            for c in self.recorder.messages()
            if str(c["query"].get("chat_id") or c["fields"].get("chat_id")) == str(self.chat_id)
        ]
        new, self._seen = sent[getattr(self, "_seen", 0) :], len(sent)
        return new

    def message(self, text: str) -> dict:
        n = next(_ids)
        if self.bot.messenger == Messenger.TELEGRAM:
            return {"update_id": n, "message": {"message_id": n, "date": 0, "chat": {"id": self.chat_id, "type": "private"},
                                                "from": _user(self.chat_id), "text": text}}  # fmt: skip
        return {"update_type": "message_created", "timestamp": n, "message": {
            "sender": {"user_id": self.chat_id, "first_name": "Иван", "is_bot": False},
            "recipient": {"chat_id": self.chat_id, "chat_type": "dialog"}, "timestamp": n,
            "body": {"mid": f"mid.{n}", "seq": n, "text": text}}}  # fmt: skip

    def photo(self, caption: str) -> dict:
        """A photo with a caption, as the messenger announces it: a file id (Telegram) or a link (MAX) that the
        bot downloads from the recorder (fake_api.FILES)."""
        update = self.message(caption)
        if self.bot.messenger == Messenger.TELEGRAM:
            message = update["message"]
            del message["text"]
            message["caption"] = caption
            message["photo"] = [{"file_id": "f-small", "file_unique_id": "u1", "width": 4, "height": 4},
                                {"file_id": "f-large", "file_unique_id": "u2", "width": 8, "height": 8}]  # fmt: skip
        else:
            url = f"{self.recorder.url}/images/one.jpg"
            update["message"]["body"]["attachments"] = [
                {"type": "image", "payload": {"url": url, "photo_id": 1, "token": "t"}}
            ]
        return update

    def button(self, payload: str) -> dict:
        n = next(_ids)
        if self.bot.messenger == Messenger.TELEGRAM:
            return {"update_id": n, "callback_query": {"id": f"cb{n}", "from": _user(self.chat_id), "chat_instance": "c",
                                                       "data": payload}}  # fmt: skip
        return {"update_type": "message_callback", "timestamp": n, "callback": {
            "timestamp": n, "callback_id": f"cb{n}", "payload": payload,
            "user": {"user_id": self.chat_id, "first_name": "Иван", "is_bot": False}},
            "message": {"recipient": {"chat_id": self.chat_id, "chat_type": "dialog"}, "timestamp": n}}  # fmt: skip


def texts(answers: list[dict]) -> str:
    return "\n".join(a["fields"].get("text") or a["fields"].get("caption") or "" for a in answers)


def buttons(answer: dict) -> list[tuple[str, str]]:
    """The (label, payload) of every button of one sent message, as the messenger received them."""
    fields = answer["fields"]
    if "reply_markup" in fields:  # Telegram: an InlineKeyboardMarkup as JSON text
        rows = json.loads(fields["reply_markup"])["inline_keyboard"]
        return [(b["text"], b["callback_data"]) for row in rows for b in row]
    rows = [a["payload"]["buttons"] for a in fields.get("attachments") or [] if a["type"] == "inline_keyboard"]
    return [(b["text"], b["payload"]) for kb in rows for row in kb for b in row]


@pytest.fixture
def resident(db):
    return Resident()


@pytest.fixture(params=[Messenger.TELEGRAM, Messenger.MAX])
def chat(request, resident, recorders):
    recorder = recorders[request.param]
    bot = Bot.objects.create(organisation=resident.org, messenger=request.param, username="vodokanal_bot",
                             token="123456:TEST-token", api_url=recorder.url)  # fmt: skip
    return Chat(bot, recorder, chat_id=next(_ids))
