"""Payment providers behind one interface. Abonent never sees card data: the payer enters it on the provider's page.

A provider starts a payment (returns its id and the page to send the payer to), reports a payment's status when
asked, and turns an incoming notification into (provider payment id, status) after checking it is genuine.
"""

from django.conf import settings

from .base import (  # noqa: F401  (the interface, named from here by the rest of the app)
    CARD,
    DECLINED,
    PENDING,
    SBP,
    SUCCEEDED,
    FiscalData,
    NotificationRejected,
    Outcome,
    PaymentProvider,
    ProviderDisabled,
    ProviderPayment,
    ProviderRefused,
    ReceiptDraft,
    ReceiptLine,
    Started,
)
from .sandbox import SandboxProvider


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

        return SandboxProvider()
    if name == "yookassa":
        from .yookassa import YooKassaProvider  # noqa: PLC0415  (its SDK, ≈0.2 s, only where YooKassa is set)

        return YooKassaProvider()
    raise LookupError(name)
