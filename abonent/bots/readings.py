"""Readings sent in a chat, one meter at a time, with the page's checks and its preview ("Расход … Передать?"),
then the page's confirmed save (metering.submit.readings_submit, under the meters' locks). Every meter id that
comes back from a button is looked up again among the chat's user's own meters."""

from __future__ import annotations

import dataclasses

from django.utils import timezone

from abonent.lib.numbers import money, ru_number
from abonent.metering import selectors
from abonent.metering.errors import ReadingError
from abonent.metering.forms import ReadingsForm
from abonent.metering.models import Reading
from abonent.metering.submit import Submission, readings_submit
from abonent.users.access import linked_accounts

CONFIRMATIONS = {"confirm_rollover", "confirm_high"}


@dataclasses.dataclass
class MeterChoice:
    account: object
    page: object  # metering.selectors.ReadingsPage
    row: object  # metering.selectors.MeterRow

    @property
    def label(self) -> str:
        meter = self.row.meter
        return f"ЛС {self.account.number} · {self.row.service_name} № {meter.serial_number}"


def accounts_of(user, organisation_id: int):
    return (
        linked_accounts(user)
        .filter(organisation_id=organisation_id)
        .select_related("organisation", "premises__building")
        .order_by("number")
    )


def choices(user, organisation_id: int) -> tuple[list[MeterChoice], list[str]]:
    """The user's meters taking readings now in this organisation, and why others do not (a closed window)."""
    found, closed = [], []
    for account in accounts_of(user, organisation_id):
        with timezone.override(account.organisation.tz):
            page = selectors.readings_page(account)
        if not page.window_open:
            first, last = page.next_window
            closed.append(f"ЛС {account.number}: приём показаний с {first:%d.%m} по {last:%d.%m}.")
            continue
        found += [MeterChoice(account, page, row) for row in page.rows if row.takes_input]
    return found, closed


def choice(user, organisation_id: int, meter_id) -> MeterChoice | None:
    meters, _ = choices(user, organisation_id)
    return next((m for m in meters if str(m.row.meter.pk) == str(meter_id)), None)


def check(chosen: MeterChoice, text: str, *, rollover=False, high=False):
    """(entry, None) when the value passes the page's checks; (entry, error text) otherwise; entry.error_code
    says whether a confirmation would let it pass (a rollover, a large consumption)."""
    meter = chosen.row.meter
    data = {
        f"value_{meter.pk}": text,
        f"rollover_{meter.pk}": "1" if rollover else "",
        f"high_{meter.pk}": "1" if high else "",
    }
    form = ReadingsForm([chosen.row], data)
    ok = form.check(organisation=chosen.page.organisation, when=timezone.now())
    if not form.filled:
        return None, form.non_field_error
    entry = form.filled[0]
    return entry, None if ok else entry.error


def preview_text(chosen: MeterChoice, entry) -> str:
    unit = chosen.row.meter.unit
    lines = [f"{chosen.label}", f"Показание: {ru_number(entry.verdict.value)}"]
    lines.append(f"Расход: {ru_number(entry.verdict.consumption)} {unit}")
    if entry.cost is not None:
        lines.append(f"Примерная сумма: {money(entry.cost)}")
    lines.append("Передать показание?")
    return "\n".join(lines)


def save(user, chosen: MeterChoice, text: str, *, rollover=False, high=False) -> str | None:
    """Save as the page's "Да, передать" does; None when saved, the Russian reason otherwise."""
    account = chosen.account
    try:
        readings_submit(
            organisation=account.organisation,
            submissions=[Submission(chosen.row.meter.pk, text[:40], rollover, high)],
            user=user,
            channel=Reading.Channel.BOT,
            premises_id=account.premises_id,
        )
    except ReadingError as exc:
        return exc.text
    return None
