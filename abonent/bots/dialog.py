"""The bot's conversation, the same for Telegram and MAX: an Incoming in, the Replies out. An unlinked chat gets
only the linking instructions; a linked one sees its user's accounts of the bot's organisation, never more.

Where the talk stands (the meter whose reading is awaited, the value waiting for «Да») is kept on the chat's link,
so a conversation survives a restart and a second web node."""

from __future__ import annotations

from abonent.billing import statements
from abonent.lib.numbers import money

from . import appeals, chat_pages, linking, readings
from .messages import MENU, Incoming, Reply
from .models import Bot, ChatLink

INSTRUCTIONS = (
    "Этот чат ещё не привязан к личному кабинету.\n"
    "Откройте личный кабинет → «Профиль» → «Мессенджеры», нажмите «Получить код» и отправьте код сюда "
    "(или откройте ссылку оттуда). Код действует 15 минут."
)
YES, NO, AGAIN = "yes", "no", "again"
PAGES = {
    "receipt": chat_pages.receipts,
    "pay": lambda link: [chat_pages.pay(link)],
    "outages": lambda link: [chat_pages.outages_now(link)],
    "contacts": lambda link: [chat_pages.contacts(link)],
    "appeal": appeals.start,
}


def handle(bot: Bot, incoming: Incoming) -> list[Reply]:
    link = ChatLink.objects.select_related("user").filter(bot=bot, chat_id=incoming.chat_id).first()
    if link is None:
        return _unlinked(bot, incoming)
    if incoming.payload:
        return _pressed(link, incoming.payload)
    if link.state.get("meter") and not incoming.text.startswith("/"):
        return _value_typed(link, incoming.text)
    if link.state.get("appeal") and not incoming.text.startswith("/"):
        return appeals.written(link, incoming)
    return _command(link, incoming.text)


def _unlinked(bot: Bot, incoming: Incoming) -> list[Reply]:
    text = incoming.text.strip()
    if text.startswith("/") and not text.startswith("/start"):  # a command: the chat must be linked first
        return [Reply(INSTRUCTIONS)]
    text = text.removeprefix("/start").strip()
    if text:
        link = linking.link_chat(bot, incoming.chat_id, text)
        if link is not None:
            return [Reply(f"Чат привязан к личному кабинету {link.user.get_username()}.", MENU)]
        return [Reply("Код не подошёл: он неверный, уже использован или истёк. Получите новый код в профиле.")]
    return [Reply(INSTRUCTIONS)]


def _command(link: ChatLink, text: str) -> list[Reply]:
    word = text.strip().lower()
    if word in {"/balance", "баланс"}:
        return _pressed(link, "balance")
    if word in {"/readings", "показания"}:
        return _pressed(link, "readings")
    if word in {"/receipt", "квитанция"}:
        return _pressed(link, "receipt")
    return [Reply("Что вы хотите сделать?", MENU)]


def _pressed(link: ChatLink, payload: str) -> list[Reply]:
    if payload == "balance":
        return [_balance(link)]
    if payload == "readings":
        return _meters(link)
    if payload.startswith("m:"):
        return _meter_chosen(link, payload[2:])
    if payload in {YES, NO, AGAIN}:
        return _answered(link, payload)
    if payload in PAGES:
        link.state = {}
        link.save(update_fields=["state"])
        return PAGES[payload](link)
    if payload.startswith("a:"):
        return appeals.chosen(link, payload[2:])
    if payload == "unlink":
        linking.unlink(link)
        return [Reply("Чат отвязан от личного кабинета. Чтобы привязать снова, получите код в профиле.")]
    return [Reply("Эта кнопка устарела. Что вы хотите сделать?", MENU)]


def _balance(link: ChatLink) -> Reply:
    accounts = list(readings.accounts_of(link.user, link.bot.organisation_id))
    if not accounts:
        return Reply("К вашему кабинету не привязан ни один лицевой счёт этой организации.", MENU)
    figures = statements.debts_and_balances_cached(accounts)
    lines = []
    for account in accounts:
        debt = figures[account.pk][0]
        owed = f"к оплате {money(debt)}" if debt > 0 else f"переплата {money(-debt)}" if debt < 0 else "долга нет"
        lines.append(f"ЛС {account.number}, {account.premises}: {owed}")
    return Reply("\n".join(lines), MENU)


def _meters(link: ChatLink) -> list[Reply]:
    meters, closed = readings.choices(link.user, link.bot.organisation_id)
    link.state = {}
    link.save(update_fields=["state"])
    if not meters:
        return [Reply("\n".join(closed) or "Счётчиков, принимающих показания, нет.", MENU)]
    buttons = [[(m.label, f"m:{m.row.meter.pk}")] for m in meters]
    return [Reply("Выберите счётчик:", buttons)]


def _meter_chosen(link: ChatLink, meter_id: str) -> list[Reply]:
    chosen = readings.choice(link.user, link.bot.organisation_id, meter_id)
    if chosen is None:  # another user's meter, a stale button, a closed window: the same answer
        return [Reply("Этот счётчик сейчас не принимает показаний.", MENU)]
    link.state = {"meter": chosen.row.meter.pk}
    link.save(update_fields=["state"])
    last = chosen.row.last_accepted
    before = f"\nПредыдущее показание: {last.value}" if last is not None else ""
    return [Reply(f"{chosen.label}{before}\nВведите показание, например 123,45.")]


def _value_typed(link: ChatLink, text: str) -> list[Reply]:
    chosen = readings.choice(link.user, link.bot.organisation_id, link.state["meter"])
    if chosen is None:
        link.state = {}
        link.save(update_fields=["state"])
        return [Reply("Этот счётчик сейчас не принимает показаний.", MENU)]
    value = text.strip()[:40]
    entry, error = readings.check(chosen, value)
    if error and entry is not None and entry.error_code in readings.CONFIRMATIONS:
        link.state = {"meter": chosen.row.meter.pk, "value": value, "confirm": entry.error_code}
        link.save(update_fields=["state"])
        return [Reply(f"{error}\nПодтверждаете?", [[("Да, верно", YES), ("Ввести заново", AGAIN)]])]
    if error:
        return [Reply(f"{error}\nВведите показание ещё раз.")]
    link.state = {"meter": chosen.row.meter.pk, "value": value}
    link.save(update_fields=["state"])
    return [Reply(readings.preview_text(chosen, entry), [[("Да, передать", YES), ("Нет", NO)]])]


def _answered(link: ChatLink, payload: str) -> list[Reply]:
    state = link.state
    chosen = readings.choice(link.user, link.bot.organisation_id, state.get("meter"))
    if chosen is None or "value" not in state:
        return [Reply("Нечего подтверждать. Что вы хотите сделать?", MENU)]
    if payload == AGAIN:
        link.state = {"meter": chosen.row.meter.pk}
        link.save(update_fields=["state"])
        return [Reply("Введите показание ещё раз.")]
    if payload == NO:
        link.state = {}
        link.save(update_fields=["state"])
        return [Reply("Показание не передано.", MENU)]
    return _confirmed(link, chosen, state)


def _confirmed(link: ChatLink, chosen, state: dict) -> list[Reply]:
    flags = {"rollover": state.get("confirm") == "confirm_rollover", "high": state.get("confirm") == "confirm_high"}
    if state.get("confirm"):  # the confirmation given: now the preview, as on the page
        entry, error = readings.check(chosen, state["value"], **flags)
        if error:
            return [Reply(f"{error}\nВведите показание ещё раз.")]
        link.state = {"meter": chosen.row.meter.pk, "value": state["value"], "confirmed": state["confirm"]}
        link.save(update_fields=["state"])
        return [Reply(readings.preview_text(chosen, entry), [[("Да, передать", YES), ("Нет", NO)]])]
    flags = {"rollover": state.get("confirmed") == "confirm_rollover", "high": state.get("confirmed") == "confirm_high"}
    error = readings.save(link.user, chosen, state["value"], **flags)
    link.state = {}
    link.save(update_fields=["state"])
    if error:
        return [Reply(f"Показание не принято: {error}", MENU)]
    return [Reply(f"Показание {state['value']} по счётчику {chosen.label} принято.", MENU)]
