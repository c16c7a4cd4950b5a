"""The conversations end to end, in Telegram and in MAX alike (the `chat` fixture runs each test for both): an
update posted to our webhook as the messenger posts it, parsed by the messenger's library, answered through its
Bot API to a local recorder. Figures are billing's own set-up: 3 × (54,30 m² × 20,1234 ₽ = 1 092,70 ₽ + 150 ₽)
charged, 500 ₽ and 100 ₽ paid, −30,55 ₽ recalculated, 4,23 ₽ penalty."""

import datetime as dt

import time_machine

from abonent.bots import linking
from abonent.bots.models import ChatLink, HandledUpdate, LinkCode
from abonent.metering.models import Reading

from .conftest import IN_WINDOW, buttons, texts


def _linked(chat, resident):
    code = linking.issue_code(resident.user)
    answers = chat.say(f"/start {code.code}")
    assert "Чат привязан к личному кабинету" in texts(answers)
    return answers


def test_an_unlinked_chat_gets_only_the_instructions(chat, resident):
    answers = chat.say("/balance")
    assert "ещё не привязан" in texts(answers) and "₽" not in texts(answers)
    assert "ещё не привязан" in texts(chat.press("balance"))
    assert "не подошёл" in texts(chat.say("ABCD2345"))
    assert not ChatLink.objects.exists()


def test_link_by_code_then_balance(chat, resident):
    answers = _linked(chat, resident)
    assert ("Баланс и долг", "balance") in buttons(answers[-1])
    # 3 × 1 242,70 ₽ charged − 30,55 recalculated + 4,23 penalty (billing's test_statements) − 500 − 100 paid
    # = 3 101,78 ₽ to pay
    balance = texts(chat.press("balance"))
    assert f"ЛС {resident.account.number}" in balance and "к оплате 3\xa0101,78\xa0₽" in balance
    assert texts(chat.say("Баланс")) == balance


def test_a_code_works_once_and_expires(chat, resident):
    code = linking.issue_code(resident.user)
    LinkCode.objects.filter(pk=code.pk).update(expires_at=code.created_at)
    assert "не подошёл" in texts(chat.say(f"/start {code.code}"))
    fresh = linking.issue_code(resident.user)
    assert "привязан" in texts(chat.say(fresh.code.lower()))  # typed by hand, in lower case
    other = type(chat)(chat.bot, chat.recorder, chat.chat_id + 1)
    assert "не подошёл" in texts(other.say(f"/start {fresh.code}"))
    assert ChatLink.objects.get().chat_id == str(chat.chat_id)


@time_machine.travel(IN_WINDOW, tick=False)
def test_readings_a_rejected_value_then_a_good_one(chat, resident):
    _linked(chat, resident)
    choose = chat.press("readings")
    [(label, payload)] = buttons(choose[-1])
    assert resident.meter.serial_number in label
    assert "Введите показание" in texts(chat.press(payload))
    refused = texts(chat.say("абв"))
    assert "ещё раз" in refused and not Reading.objects.exists()
    preview = chat.say("15,5")
    assert "Расход: 15,5 м³" in texts(preview) and ("Да, передать", "yes") in buttons(preview[-1])
    assert not Reading.objects.exists()  # the preview saves nothing, as the page's "Рассчитать"
    assert "принято" in texts(chat.press("yes"))
    reading = Reading.objects.get()
    assert reading.value == 15.5 and reading.channel == Reading.Channel.BOT and reading.submitted_by == resident.user
    assert "Нечего подтверждать" in texts(chat.press("yes"))  # a second press saves nothing twice
    assert Reading.objects.count() == 1


@time_machine.travel(IN_WINDOW, tick=False)
def test_no_saves_nothing(chat, resident):
    _linked(chat, resident)
    chat.press(f"m:{resident.meter.pk}")
    chat.say("15,5")
    assert "не передано" in texts(chat.press("no"))
    assert not Reading.objects.exists()


def test_readings_outside_the_window(chat, resident):
    _linked(chat, resident)
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), tick=False):
        answer = texts(chat.press("readings"))
    assert "приём показаний с 07.11 по 25.11" in answer


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_resent_update_changes_nothing_twice(chat, resident):
    _linked(chat, resident)
    chat.press(f"m:{resident.meter.pk}")
    chat.say("15,5")
    press = chat.button("yes")
    chat.post(press)
    chat.post(press)  # the messenger thought the first was lost
    assert Reading.objects.count() == 1
    assert HandledUpdate.objects.filter(bot=chat.bot).count() == 4  # link, meter, value, «Да»


def test_unlink_from_the_chat(chat, resident):
    _linked(chat, resident)
    assert "отвязан" in texts(chat.press("unlink"))
    assert not ChatLink.objects.exists()
    assert "ещё не привязан" in texts(chat.press("balance"))


def test_a_wrong_secret_or_body_is_refused(chat, resident):
    assert chat.post(chat.message("/start"), secret="wrong").status_code == 403
    assert chat.client.post(chat.url, "{", content_type="application/json",
                            **{"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": chat.bot.secret,
                               "HTTP_X_MAX_BOT_API_SECRET": chat.bot.secret}).status_code == 400  # fmt: skip
    assert chat.post({"update_id": "x", "message": 5}).status_code == 200  # not an update: ignored, not a 500
    assert chat.client.post(f"/bots/{chat.bot.messenger}/999999999999999999999/webhook/", {}).status_code == 404
    assert not chat.recorder.messages() or not texts(chat._answers(chat.post({"update_type": "dialog_muted"})))


def test_an_error_inside_becomes_an_apology(chat, resident, monkeypatch):
    _linked(chat, resident)
    monkeypatch.setattr("abonent.bots.dialog._balance", lambda link: 1 / 0)
    assert "Не получилось выполнить запрос" in texts(chat.press("balance"))
