"""Who gets which notice in the chat, and its words: the receipts of a published period, a payment credited, an
outage at the user's houses, an operator's answer to an appeal. A chat gets an organisation's notices only through that organisation's bot, and
only about its user's accounts and appeals; a user who turned the kind off in the notification settings gets none.

Each kind is (the chats to tell, given the job's parameters; the event's key and the text for each of those)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from abonent.billing.models import BillingPeriod
from abonent.lib.numbers import money
from abonent.notifications.models import Kind
from abonent.notifications.selectors import chat_opted_out_user_ids
from abonent.outages.models import Outage
from abonent.outages.selectors import user_addresses
from abonent.payments.models import Payment
from abonent.support.models import AppealMessage
from abonent.users.models import AccountLink

from .chat_pages import outage_line
from .models import ChatLink

TEXT_LIMIT = 3500  # Telegram takes 4096 characters in a message; the rest of a long answer is in the cabinet


@dataclass(frozen=True)
class Notice:
    chats: Callable[[int, dict], list[int]]  # (organisation id, the job's params) -> chat link ids
    texts: Callable[[int, dict, list[int]], tuple[str, dict[int, str]]]  # -> (event key, chat link id -> text)


def _chats(kind: str, organisation_id: int):
    return (
        ChatLink.objects.filter(bot__organisation_id=organisation_id, bot__enabled=True, user__is_active=True)
        .exclude(user_id__in=chat_opted_out_user_ids(kind))
        .order_by("pk")
    )


# --- the receipts of a published period ---


def _period(organisation_id: int, params: dict) -> BillingPeriod:
    return BillingPeriod.objects.get(pk=params["period"], organisation_id=organisation_id)


def _receipt_chats(organisation_id: int, params: dict) -> list[int]:
    users = AccountLink.objects.filter(account__organisation_id=organisation_id).values("user_id")
    return list(_chats(Kind.RECEIPT, organisation_id).filter(user_id__in=users).values_list("pk", flat=True))


def _receipt_texts(organisation_id: int, params: dict, link_ids: list[int]) -> tuple[str, dict[int, str]]:
    period = _period(organisation_id, params)
    links = ChatLink.objects.filter(pk__in=link_ids).values_list("pk", "user_id")
    numbers: dict[int, list[str]] = {}
    rows = AccountLink.objects.filter(account__organisation_id=organisation_id, user_id__in=[u for _, u in links])
    for user_id, number in rows.order_by("account__number").values_list("user_id", "account__number"):
        numbers.setdefault(user_id, []).append(number)
    texts = {
        pk: f"Квитанция за {period.month:%m.%Y} готова: ЛС {', '.join(numbers[user_id])}. "
        "Нажмите «Квитанция» в меню, чтобы получить PDF."
        for pk, user_id in links
        if user_id in numbers
    }
    return f"period:{period.pk}", texts


# --- a payment credited ---


def _payment(organisation_id: int, params: dict) -> Payment:
    return Payment.objects.select_related("account").get(pk=params["payment"], organisation_id=organisation_id)


def _payment_chats(organisation_id: int, params: dict) -> list[int]:
    users = AccountLink.objects.filter(account_id=_payment(organisation_id, params).account_id).values("user_id")
    return list(_chats(Kind.PAYMENT, organisation_id).filter(user_id__in=users).values_list("pk", flat=True))


def _payment_texts(organisation_id: int, params: dict, link_ids: list[int]) -> tuple[str, dict[int, str]]:
    payment = _payment(organisation_id, params)
    text = f"Платёж {money(payment.amount)} по ЛС {payment.account.number} зачислен ({payment.paid_on:%d.%m.%Y})."
    return f"payment:{payment.pk}", dict.fromkeys(link_ids, text)


# --- an operator's answer to an appeal ---


def _answer(organisation_id: int, params: dict) -> AppealMessage:
    return AppealMessage.objects.select_related("appeal").get(
        pk=params["message"], kind=AppealMessage.Kind.REPLY, appeal__organisation_id=organisation_id
    )


def _answer_chats(organisation_id: int, params: dict) -> list[int]:
    author = _answer(organisation_id, params).appeal.author_id
    return list(_chats(Kind.APPEAL_ANSWER, organisation_id).filter(user_id=author).values_list("pk", flat=True))


def _answer_texts(organisation_id: int, params: dict, link_ids: list[int]) -> tuple[str, dict[int, str]]:
    message = _answer(organisation_id, params)
    text = message.text if len(message.text) <= TEXT_LIMIT else message.text[:TEXT_LIMIT] + "… (полностью — в кабинете)"
    return f"answer:{message.pk}", dict.fromkeys(link_ids, f"Ответ на обращение № {message.appeal_id}:\n{text}")


# --- an outage at the user's houses ---


def _outage(organisation_id: int, params: dict) -> Outage:
    return Outage.objects.select_related("organisation").get(pk=params["outage"], organisation_id=organisation_id)


def _outage_chats(organisation_id: int, params: dict) -> list[int]:
    houses = _outage(organisation_id, params).buildings.all()
    users = AccountLink.objects.filter(account__premises__building__in=houses, account__closed_on__isnull=True)
    chats = _chats(Kind.OUTAGE, organisation_id).filter(user_id__in=users.values("user_id"))
    return list(chats.values_list("pk", flat=True))


def _outage_texts(organisation_id: int, params: dict, link_ids: list[int]) -> tuple[str, dict[int, str]]:
    outage = _outage(organisation_id, params)
    texts = {}
    for link in ChatLink.objects.filter(pk__in=link_ids).select_related("user"):
        where = user_addresses(link.user, [outage]).get(outage.pk, [])
        texts[link.pk] = "Отключение по вашему адресу. " + outage_line(outage, outage.organisation.tz, where)
    return f"outage:{outage.pk}", texts


NOTICES = {
    Kind.RECEIPT: Notice(_receipt_chats, _receipt_texts),
    Kind.PAYMENT: Notice(_payment_chats, _payment_texts),
    Kind.OUTAGE: Notice(_outage_chats, _outage_texts),
    Kind.APPEAL_ANSWER: Notice(_answer_chats, _answer_texts),
}
