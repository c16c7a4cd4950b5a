"""The interface every payment provider implements, and the statuses and errors they report in (the package's
__init__ picks a provider; each provider's module imports only this, so no provider imports the package back)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

SUCCEEDED = "succeeded"
DECLINED = "declined"
PENDING = "pending"

CARD = "card"
SBP = "sbp"


class NotificationRejected(Exception):
    """A notification that is not authentic or cannot be read."""


class ProviderDisabled(LookupError):
    """The sandbox where it is not allowed (DEBUG=0 without PAYMENTS_SANDBOX_ALLOWED): it takes no money."""


class ProviderRefused(Exception):
    """The provider said no (a refund above the refundable rest, an unknown payment, a network error)."""


@dataclass(frozen=True)
class Started:
    provider_payment_id: str
    redirect_url: str
    # СБП: the text of the QR code the payer's bank app reads (also the link that opens it on a phone).
    sbp_payload: str = ""


@dataclass(frozen=True)
class ReceiptLine:
    description: str
    amount: Decimal
    vat_code: int
    # The agent tags when the money is collected for another supplier (empty name: no agent).
    supplier_name: str = ""
    supplier_inn: str = ""
    supplier_phone: str = ""


@dataclass(frozen=True)
class ReceiptDraft:
    """A 54-ФЗ receipt as the cash register is asked for it: payment subject "service", full payment."""

    lines: tuple[ReceiptLine, ...]
    email: str = ""
    phone: str = ""
    tax_system_code: int | None = None
    refund: bool = False

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))


@dataclass(frozen=True)
class FiscalData:
    fn: str
    fd: str
    fp: str
    registered_at: dt.datetime


@dataclass(frozen=True)
class Outcome:
    provider_payment_id: str
    status: str
    reason: str = ""


@dataclass(frozen=True)
class ProviderPayment:
    """One succeeded payment as the provider's list of the day has it (for reconciliation)."""

    provider_payment_id: str
    amount: Decimal
    refunded: Decimal = field(default=Decimal("0"))


class PaymentProvider:
    name = ""

    def start(
        self,
        *,
        order: str,
        amount: Decimal,
        description: str,
        return_url: str,
        notify_url: str,
        payer_email: str = "",
        receipt: ReceiptDraft | None = None,
        method: str = CARD,
        save_method: bool = False,
    ) -> Started:  # pragma: no cover - interface
        raise NotImplementedError

    def fetch_status(self, provider_payment_id: str) -> str:
        return self.fetch_outcome(provider_payment_id)[0]

    def fetch_outcome(self, provider_payment_id: str) -> tuple[str, str]:  # pragma: no cover - interface
        """(status, decline code): the code (YooKassa's cancellation reason) is empty unless declined."""
        raise NotImplementedError

    def fetch_details(self, provider_payment_id: str) -> tuple[str, str, Decimal | None]:
        """(status, decline code, amount the provider took or None): the payer's return settles by this."""
        return (*self.fetch_outcome(provider_payment_id), None)

    def parse_notification(self, body: bytes, headers) -> tuple:  # pragma: no cover - interface
        """(provider payment id, status, decline code, amount or None) of an authentic notification; the amount
        is checked against the order's before anything is credited."""
        raise NotImplementedError

    def saved_method(self, provider_payment_id: str) -> str:  # pragma: no cover - interface
        """The provider's id of the card / СБП subscription a succeeded payment saved; empty when none."""
        raise NotImplementedError

    def charge_saved(
        self, *, order: str, amount: Decimal, method_id: str, description: str, receipt: ReceiptDraft | None
    ) -> Outcome:  # pragma: no cover - interface
        """An auto-pay charge with a saved method, no payer on the page."""
        raise NotImplementedError

    def refund(
        self, *, provider_payment_id: str, amount: Decimal, key: str, receipt: ReceiptDraft | None, reason: str
    ) -> str:  # pragma: no cover - interface
        """Refund part or all of a succeeded payment; returns the provider's refund id or raises ProviderRefused."""
        raise NotImplementedError

    def fiscal_data(
        self, *, provider_payment_id: str, refund_id: str = "", total: Decimal, at: dt.datetime
    ) -> FiscalData | None:  # pragma: no cover - interface
        """The fiscal data (ФН, ФД, ФП) the register gave the receipt of a payment or a refund; None if not yet."""
        raise NotImplementedError

    def payments_of_day(self, start: dt.datetime, end: dt.datetime) -> list[ProviderPayment]:  # pragma: no cover
        """The provider's succeeded payments created in [start, end)."""
        raise NotImplementedError
