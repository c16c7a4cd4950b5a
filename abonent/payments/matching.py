"""How a bank registry line is matched to an account, and which lines are already imported.

The rule:
- A line's identity is organisation + payment id + payment date + amount (`external_id`): a bank numbers its
  payments per day, and the same id with another amount is another payment. A line whose identity is already
  stored — as a bank payment or as an unmatched line of an earlier registry — is a duplicate and is skipped, so
  importing a file twice adds nothing.
- The account is the line's account column with the surrounding spaces removed, compared exactly (no leading
  zeros dropped, no case folded) with the personal account numbers of the importing organisation only: a number
  of another organisation is unknown here.
- A line may name a service by its code (a layout with a service column): the code is compared exactly with the
  codes of the organisation's services, and the payment goes to that service (billing.allocation).
- A new line whose account is unknown, or whose service is not one of the organisation's, is unmatched: it is kept
  (payments.models.UnmatchedLine, with the reason in Russian) for an operator to resolve by hand; it credits
  nothing — a payment for a service nobody can tell must not be spread over the others.
"""

from dataclasses import dataclass, field

from abonent.billing.models import Service
from abonent.housing.models import PersonalAccount

from .models import Payment, UnmatchedLine
from .registry_bulk import existing
from .registry_parse import Line


def external_id(line: Line, organisation_id: int) -> str:
    return f"{organisation_id}:{line.payment_id}:{line.paid_on.isoformat()}:{line.amount}"


@dataclass
class Matches:
    fresh: dict[str, Line]  # external id → line, the lines not imported before
    accounts: dict[str, int]  # account number → account id, for the numbers of the fresh lines that are known
    duplicates: int
    services: dict[str, int] = field(default_factory=dict)  # service code → id, for the codes the lines name

    def matched(self) -> list[tuple[str, Line, int]]:
        """(external id, line, account id) of the fresh lines whose account (and service, if named) is known."""
        return [(eid, line, self.accounts[line.account]) for eid, line in self.fresh.items() if not self.reason(line)]

    def unmatched(self) -> list[tuple[str, Line]]:
        return [(eid, line) for eid, line in self.fresh.items() if self.reason(line)]

    def service_of(self, line: Line) -> int | None:
        """The id of the service the line names; None — it names none."""
        return self.services[line.service_code] if line.service_code else None

    def reason(self, line: Line) -> str:
        """Why the line is not credited, in Russian; "" — it is."""
        if line.account not in self:
            return f"Лицевой счёт «{line.account}» не найден в организации."
        if line.service_code and line.service_code not in self.services:
            return f"Услуга с кодом «{line.service_code}» не найдена в организации: платёж не распределён."
        return ""

    def __contains__(self, number: str) -> bool:
        return number in self.accounts


def match(lines: list[Line], organisation_id: int) -> Matches:
    """The fresh lines (duplicates left out), the accounts their numbers name and the services their codes name, in
    four queries (three when no line names a service)."""
    by_id = {external_id(line, organisation_id): line for line in lines}
    known = existing(Payment, "external_id", list(by_id), channel=Payment.Channel.BANK)
    known |= existing(UnmatchedLine, "external_id", list(by_id))
    fresh = {eid: line for eid, line in by_id.items() if eid not in known}
    numbers = sorted({line.account for line in fresh.values()})
    accounts = dict(existing(PersonalAccount, "number", numbers, organisation_id=organisation_id, also="id"))
    codes = sorted({line.service_code for line in fresh.values() if line.service_code})
    services = dict(existing(Service, "code", codes, organisation_id=organisation_id, also="id"))
    return Matches(fresh=fresh, accounts=accounts, duplicates=len(by_id) - len(fresh), services=services)
