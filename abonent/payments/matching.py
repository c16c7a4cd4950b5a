"""How a bank registry line is matched to an account, and which lines are already imported.

The rule:
- A line's identity is organisation + payment id + payment date + amount (`external_id`): a bank numbers its
  payments per day, and the same id with another amount is another payment. A line whose identity is already
  stored — as a bank payment or as an unmatched line of an earlier registry — is a duplicate and is skipped, so
  importing a file twice adds nothing.
- The account is the line's account column with the surrounding spaces removed, compared exactly (no leading
  zeros dropped, no case folded) with the personal account numbers of the importing organisation only: a number
  of another organisation is unknown here.
- A new line whose account is unknown is unmatched: it is kept (payments.models.UnmatchedLine) for an operator to
  resolve by hand; it credits nothing.
"""

from dataclasses import dataclass

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

    def matched(self) -> list[tuple[str, Line, int]]:
        """(external id, line, account id) of the fresh lines whose account is known."""
        return [(eid, line, self.accounts[line.account]) for eid, line in self.fresh.items() if line.account in self]

    def unmatched(self) -> list[tuple[str, Line]]:
        return [(eid, line) for eid, line in self.fresh.items() if line.account not in self]

    def __contains__(self, number: str) -> bool:
        return number in self.accounts


def match(lines: list[Line], organisation_id: int) -> Matches:
    """The fresh lines (duplicates left out) and the accounts their numbers name, in three queries."""
    by_id = {external_id(line, organisation_id): line for line in lines}
    known = existing(Payment, "external_id", list(by_id), channel=Payment.Channel.BANK)
    known |= existing(UnmatchedLine, "external_id", list(by_id))
    fresh = {eid: line for eid, line in by_id.items() if eid not in known}
    numbers = sorted({line.account for line in fresh.values()})
    accounts = dict(existing(PersonalAccount, "number", numbers, organisation_id=organisation_id, also="id"))
    return Matches(fresh=fresh, accounts=accounts, duplicates=len(by_id) - len(fresh))
