"""Payment providers behind one interface. Abonent never sees card data: the payer enters it on the provider's page.

A provider starts a payment (returns its id and the page to send the payer to), reports a payment's status when
asked, and turns an incoming notification into (provider payment id, status) after checking it is genuine.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

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

    def fetch_status(self, provider_payment_id: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError

    def parse_notification(self, body: bytes, headers) -> tuple[str, str]:  # pragma: no cover - interface
        raise NotImplementedError


def provider_name() -> str:
    """The provider new card payments go to (settings.PAYMENTS_PROVIDER: yookassa or sandbox)."""
    return settings.PAYMENTS_PROVIDER


def sandbox_allowed() -> bool:
    return bool(settings.PAYMENTS_SANDBOX_ALLOWED)


def is_test_mode() -> bool:
    """True when card payments go to the sandbox: the pages then say in large letters that nothing is charged."""
    return provider_name() == "sandbox"


def get_provider(name: str | None = None) -> PaymentProvider:
    name = name or provider_name()
    if name == "sandbox":
        # Checked here as well as at start-up: no payment starts, and no notification is believed, through a
        # sandbox the settings do not allow.
        if not sandbox_allowed():
            raise ProviderDisabled(name)
        from .sandbox import SandboxProvider

        return SandboxProvider()
    if name == "yookassa":
        from .yookassa import YooKassaProvider

        return YooKassaProvider()
    raise LookupError(name)
