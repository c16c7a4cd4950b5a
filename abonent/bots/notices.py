"""Who gets which notice in the chat, and its words: the receipts of a published period, an operator's answer to an
appeal. A chat gets an organisation's notices only through that organisation's bot, and only about its user's
accounts and appeals; a user who turned the kind off in the notification settings gets none."""

from __future__ import annotations

from abonent.billing.models import BillingPeriod
from abonent.notifications.models import Kind
from abonent.notifications.selectors import chat_opted_out_user_ids
from abonent.support.models import AppealMessage
from abonent.users.models import AccountLink

from .models import ChatLink

TEXT_LIMIT = 3500  # Telegram takes 4096 characters in a message; the rest of a long answer is in the cabinet


def _chats(kind: str, organisation_id: int):
    return (
        ChatLink.objects.filter(bot__organisation_id=organisation_id, bot__enabled=True, user__is_active=True)
        .exclude(user_id__in=chat_opted_out_user_ids(kind))
        .order_by("pk")
    )


def receipt_chats(period: BillingPeriod) -> list[int]:
    users = AccountLink.objects.filter(account__organisation_id=period.organisation_id).values("user_id")
    return list(_chats(Kind.RECEIPT, period.organisation_id).filter(user_id__in=users).values_list("pk", flat=True))


def receipt_texts(period: BillingPeriod, link_ids: list[int]) -> dict[int, str]:
    links = ChatLink.objects.filter(pk__in=link_ids).values_list("pk", "user_id")
    numbers: dict[int, list[str]] = {}
    rows = AccountLink.objects.filter(
        account__organisation_id=period.organisation_id, user_id__in=[u for _, u in links]
    )
    for user_id, number in rows.order_by("account__number").values_list("user_id", "account__number"):
        numbers.setdefault(user_id, []).append(number)
    return {
        pk: f"Квитанция за {period.month:%m.%Y} готова: ЛС {', '.join(numbers[user_id])}. "
        "Нажмите «Квитанция» в меню, чтобы получить PDF."
        for pk, user_id in links
        if user_id in numbers
    }


def answer_message(message_id: int) -> AppealMessage:
    return AppealMessage.objects.select_related("appeal").get(pk=message_id, kind=AppealMessage.Kind.REPLY)


def answer_chats(message: AppealMessage) -> list[int]:
    appeal = message.appeal
    chats = _chats(Kind.APPEAL_ANSWER, appeal.organisation_id).filter(user_id=appeal.author_id)
    return list(chats.values_list("pk", flat=True))


def answer_text(message: AppealMessage) -> str:
    text = message.text if len(message.text) <= TEXT_LIMIT else message.text[:TEXT_LIMIT] + "… (полностью — в кабинете)"
    return f"Ответ на обращение № {message.appeal_id}:\n{text}"
