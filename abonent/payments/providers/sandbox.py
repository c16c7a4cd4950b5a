"""The built-in sandbox acquirer: its own card page (served by Abonent, nothing loaded from outside), test cards,
a 3-D Secure step, and an asynchronous notification signed with HMAC-SHA256, as a real acquirer sends.

Test cards (any future expiry, any 3-digit CVC):
  4111 1111 1111 1111 — success;  4000 0000 0000 0002 — declined (insufficient funds);
  4000 0000 0000 3220 — 3-D Secure, code 12345 (another code: declined, 3-D Secure failed).
A decline carries YooKassa's reason code, so the cabinet explains it the same way for both providers.
"""

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from abonent.lib.site import site_url

from ..models import SandboxCharge
from . import fiscal_drive
from .base import (
    CARD,
    DECLINED,
    PENDING,
    SBP,
    SUCCEEDED,
    FiscalData,
    NotificationRejected,
    Outcome,
    PaymentProvider,
    ProviderPayment,
    ProviderRefused,
    Started,
)

log = logging.getLogger(__name__)

SUCCESS_CARD = "4111111111111111"
DECLINE_CARD = "4000000000000002"
THREE_DS_CARD = "4000000000003220"
THREE_DS_CODE = "12345"
DECLINE_CARD_REASON = "insufficient_funds"
THREE_DS_FAILED_REASON = "3d_secure_failed"
SIGNATURE_HEADER = "HTTP_X_SANDBOX_SIGNATURE"
ATTEMPTS = 5


def secret() -> bytes:
    # Its own key (settings.PAYMENTS_SIGNING_KEY), not SECRET_KEY: the development SECRET_KEY is in the
    # repository, and a notification signed with it must not credit anything on a real site.
    return settings.PAYMENTS_SIGNING_KEY.encode()


def sign(body: bytes) -> str:
    return hmac.new(secret(), body, hashlib.sha256).hexdigest()


def luhn_ok(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def start(self, *, order, amount: Decimal, description, return_url, notify_url, method=CARD, **options) -> Started:
        charge = SandboxCharge.objects.create(
            token=secrets.token_urlsafe(24),
            amount=amount,
            description=description,
            return_url=return_url,
            notify_url=notify_url,
            method=method,
            save_method=bool(options.get("save_method")),
        )
        if method == SBP:
            # The QR code's text is the sandbox bank's page: scanned by a phone (or opened by its link) it shows
            # the bank app's "confirm the payment" screen. Absolute, as a real СБП link is.
            page = site_url() + reverse("payments:sandbox_sbp", args=[charge.token])
            return Started(charge.token, "", sbp_payload=page)
        return Started(charge.token, reverse("payments:sandbox_pay", args=[charge.token]))

    def saved_method(self, provider_payment_id: str) -> str:
        charge = SandboxCharge.objects.filter(token=provider_payment_id, status="succeeded", save_method=True).first()
        return f"sbx-pm-{charge.token}" if charge else ""

    def charge_saved(self, *, order, amount, method_id, description, receipt) -> Outcome:
        """A saved method of a succeeded sandbox charge pays at once; the test method id "sbx-pm-decline" (or a
        method the sandbox never saved) is declined, as a blocked card is."""
        known = (
            method_id.startswith("sbx-pm-")
            and SandboxCharge.objects.filter(
                token=method_id.removeprefix("sbx-pm-"), save_method=True, status="succeeded"
            ).exists()
        )
        status = SandboxCharge.Status.SUCCEEDED if known else SandboxCharge.Status.DECLINED
        charge = SandboxCharge.objects.create(
            token=secrets.token_urlsafe(24),
            amount=amount,
            description=description,
            return_url="",
            notify_url="",
            status=status,
            decline_reason="" if known else "permission_revoked",
        )
        return Outcome(charge.token, SUCCEEDED if known else DECLINED, charge.decline_reason)

    def refund(self, *, provider_payment_id, amount, key, receipt, reason) -> str:
        with transaction.atomic():
            charge = SandboxCharge.objects.select_for_update().filter(token=provider_payment_id).first()
            if charge is None or charge.status != SandboxCharge.Status.SUCCEEDED:
                raise ProviderRefused("Платёж не найден у эквайера или не завершён.")
            if charge.refunded + amount > charge.amount:
                raise ProviderRefused("Эквайер отказал: сумма возврата больше остатка платежа.")
            charge.refunded += amount
            charge.save(update_fields=["refunded"])
        return f"{charge.token}:refund:{key}"

    def fiscal_data(self, *, provider_payment_id, refund_id="", total, at) -> FiscalData:
        return fiscal_drive.register(total, at)

    def payments_of_day(self, start, end) -> list[ProviderPayment]:
        rows = SandboxCharge.objects.filter(status="succeeded", created_at__gte=start, created_at__lt=end)
        return [ProviderPayment(c.token, c.amount, c.refunded) for c in rows.order_by("pk")]

    def fetch_outcome(self, provider_payment_id: str) -> tuple[str, str]:
        row = SandboxCharge.objects.filter(token=provider_payment_id).values_list("status", "decline_reason").first()
        status, reason = row or ("", "")
        return {"succeeded": SUCCEEDED, "declined": DECLINED}.get(status, PENDING), reason

    def fetch_details(self, provider_payment_id: str) -> tuple[str, str, Decimal | None]:
        status, reason = self.fetch_outcome(provider_payment_id)
        amount = SandboxCharge.objects.filter(token=provider_payment_id).values_list("amount", flat=True).first()
        return status, reason, amount

    def parse_notification(self, body: bytes, headers) -> tuple[str, str, str]:
        given = headers.get(SIGNATURE_HEADER, "")
        if not given or not hmac.compare_digest(given, sign(body)):
            raise NotificationRejected("bad signature")
        try:
            data = json.loads(body)
            status = {"succeeded": SUCCEEDED, "declined": DECLINED}[data["status"]]
            amount = Decimal(str(data["amount"])) if "amount" in data else None
            return str(data["payment_id"]), status, str(data.get("reason") or ""), amount
        except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
            raise NotificationRejected("unreadable") from exc


def notification(token: str, status: str, reason: str = "", amount: Decimal | None = None) -> bytes:
    """The signed body: the charge, its outcome and, as a real acquirer reports, the amount it took."""
    data = {"payment_id": token, "status": status}
    if amount is not None:
        data["amount"] = f"{amount:.2f}"
    if reason:
        data["reason"] = reason
    return json.dumps(data, sort_keys=True).encode()


def deliver(charge, *, handle_inline: Callable[[bytes, dict], object]) -> None:
    """Notify Abonent once the charge's outcome is committed, not in the payer's request: a real acquirer's
    notification comes on its own schedule. "http" posts to the webhook from a thread; "inline" (tests without a
    server) hands the same signed body to `handle_inline`, the webhook's own handler, right after commit. The
    handler is passed in by the caller: the acquirer knows nothing of how Abonent applies a notification (and
    the payment services, which start payments through the providers, are not imported back from here)."""
    body = notification(charge.token, charge.status, charge.decline_reason, charge.amount)
    headers = {SIGNATURE_HEADER: sign(body)}
    mode = getattr(settings, "PAYMENTS_SANDBOX_DELIVERY", "http")

    def post():
        req = urllib.request.Request(
            charge.notify_url,
            data=body,
            headers={"Content-Type": "application/json", "X-Sandbox-Signature": headers[SIGNATURE_HEADER]},
        )
        # Like a real acquirer, retry a notification that was not accepted (a busy database, a restart...); the
        # payer's return to the result page settles the payment anyway.
        for attempt in range(ATTEMPTS):
            try:
                urllib.request.urlopen(req, timeout=10).read()
                return
            except Exception:
                time.sleep(0.2 * (attempt + 1))
        log.warning("sandbox notification to %s failed %d times", charge.notify_url, ATTEMPTS)

    def run():
        if mode == "inline":
            handle_inline(body, headers)
        else:
            threading.Thread(target=post, daemon=True).start()

    transaction.on_commit(run)
