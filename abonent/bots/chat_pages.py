"""What the chat shows besides readings: the latest receipt as a PDF, the pay link, outages at the user's houses,
the organisation's contacts, and an appeal written in the chat. Each reads through the same access rules as the
pages (users.access, receipts.access, outages.selectors), limited to the bot's organisation."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from abonent.lib.site import absolute
from abonent.outages import selectors as outages
from abonent.receipts import access as receipts_access
from abonent.receipts import pdf
from abonent.receipts import selectors as receipts_selectors

from .messages import MENU, Reply
from .readings import accounts_of


def receipts(link) -> list[Reply]:
    replies = []
    for account in accounts_of(link.user, link.bot.organisation_id):
        latest = receipts_selectors.receipt_periods(account=account).first()
        if latest is None:
            replies.append(Reply(f"ЛС {account.number}: квитанций ещё нет."))
            continue
        month = f"{latest.period.month:%Y-%m}"
        receipt = receipts_access.receipt_for_user(link.user, account.pk, month)
        name = f"receipt-{account.number}-{receipt.slug}.pdf"
        replies.append(
            Reply(
                f"Квитанция ЛС {account.number} за {latest.period.month:%m.%Y}", document=(name, pdf.render([receipt]))
            )
        )
    return replies or [Reply("К вашему кабинету не привязан ни один лицевой счёт этой организации.", MENU)]


def pay(link) -> Reply:
    lines = [
        f"ЛС {a.number}: {absolute(reverse('payments:pay'))}?account={a.pk}"
        for a in accounts_of(link.user, link.bot.organisation_id)
        if a.closed_on is None
    ]
    if not lines:
        return Reply("Оплачивать нечего: открытых лицевых счетов этой организации нет.", MENU)
    return Reply("Оплата картой или по СБП в личном кабинете:\n" + "\n".join(lines), MENU)


def outages_now(link) -> Reply:
    found = [o for o in outages.user_current(link.user) if o.organisation_id == link.bot.organisation_id]
    if not found:
        return Reply("Отключений по вашим адресам не запланировано.", MENU)
    addresses = outages.user_addresses(link.user, found)
    tz = link.bot.organisation.tz
    return Reply("\n\n".join(outage_line(o, tz, addresses.get(o.pk, [])) for o in found), MENU)


def outage_line(o, tz, addresses: list[str]) -> str:
    """What, when (the organisation's local time), where (the user's own addresses) and the operator's note."""
    start, end = timezone.localtime(o.starts_at, tz), timezone.localtime(o.ends_at, tz)
    where = "; ".join(addresses)
    return f"{o.get_resource_display()}: {start:%d.%m %H:%M} — {end:%d.%m %H:%M}, {where}. {o.description}".strip()


def contacts(link) -> Reply:
    org = link.bot.organisation
    lines = [org.name, f"Телефон: {org.phone}"]
    lines += [f"{label}: {value}" for label, value in (
        ("E-mail", org.email), ("Адрес", org.office_address or org.legal_address), ("Часы приёма", org.office_hours),
        ("Сайт", org.website),
    ) if value]  # fmt: skip
    return Reply("\n".join(lines), MENU)
