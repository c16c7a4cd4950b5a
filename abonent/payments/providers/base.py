"""The interface every payment provider implements, and the statuses and errors they report in (the package's
__init__ picks a provider; each provider's module imports only this, so no provider imports the package back)."""

from dataclasses import dataclass
from decimal import Decimal

SUCCEEDED = "succeeded"
DECLINED = "declined"
PENDING = "pending"


class NotificationRejected(Exception):
    """A notification that is not authentic or cannot be read."""


class ProviderDisabled(LookupError):
    """The sandbox where it is not allowed (DEBUG=0 without PAYMENTS_SANDBOX_ALLOWED): it takes no money."""


@dataclass(frozen=True)
class Started:
    provider_payment_id: str
    redirect_url: str


class PaymentProvider:
    name = ""

    def start(
        self, *, order: str, amount: Decimal, description: str, return_url: str, notify_url: str, payer_email: str = ""
    ) -> Started:  # pragma: no cover - interface
        raise NotImplementedError

    def fetch_status(self, provider_payment_id: str) -> str:
        return self.fetch_outcome(provider_payment_id)[0]

    def fetch_outcome(self, provider_payment_id: str) -> tuple[str, str]:  # pragma: no cover - interface
        """(status, decline code): the code (YooKassa's cancellation reason) is empty unless declined."""
        raise NotImplementedError

    def parse_notification(self, body: bytes, headers) -> tuple[str, str, str]:  # pragma: no cover - interface
        """(provider payment id, status, decline code) of an authentic notification."""
        raise NotImplementedError
