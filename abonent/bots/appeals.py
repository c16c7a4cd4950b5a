"""An appeal written in the chat: the account chosen (when the user has several of this organisation), then the
text, with photos if sent, saved by support's own appeal_create (its checks of the text and the files). The
answer comes back to the contact of the user's profile, and to this chat (notices.py, unless turned off)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from abonent.support import services as support
from abonent.support.models import Appeal

from .messages import MENU, Incoming, Reply
from .readings import accounts_of


def start(link) -> list[Reply]:
    accounts = list(accounts_of(link.user, link.bot.organisation_id).filter(closed_on__isnull=True))
    if not accounts:
        return [Reply("Нет открытых лицевых счетов этой организации: написать обращение не к кому.", MENU)]
    if len(accounts) > 1:
        return [Reply("По какому лицевому счёту обращение?", [[(f"ЛС {a.number}", f"a:{a.pk}")] for a in accounts])]
    return chosen(link, str(accounts[0].pk))


def chosen(link, account_id: str) -> list[Reply]:
    account = accounts_of(link.user, link.bot.organisation_id).filter(pk=account_id, closed_on__isnull=True).first()
    if account is None:
        return [Reply("Этот лицевой счёт недоступен.", MENU)]
    link.state = {"appeal": account.pk}
    link.save(update_fields=["state"])
    return [Reply(f"ЛС {account.number}. Напишите текст обращения одним сообщением; можно приложить фото.")]


def written(link, incoming: Incoming) -> list[Reply]:
    contact = link.user.email or link.user.phone
    if not contact:
        return [Reply("Укажите e-mail или телефон в профиле личного кабинета: на него придёт ответ.", MENU)]
    files = [SimpleUploadedFile(name, content, content_type="image/jpeg") for name, content in incoming.photos]
    try:
        appeal = support.appeal_create(
            user=link.user, account_id=link.state["appeal"], topic=Appeal.Topic.OTHER,
            text=incoming.text, contact=contact, files=files,
        )  # fmt: skip
    except ValidationError as exc:
        problems = [m for messages in exc.message_dict.values() for m in messages]
        return [Reply("\n".join(problems) + "\nНапишите обращение ещё раз.")]
    link.state = {}
    link.save(update_fields=["state"])
    return [Reply(f"Обращение № {appeal.pk} отправлено. Ответ придёт в этот чат и на {contact}.", MENU)]
