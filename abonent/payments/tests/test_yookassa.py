"""YooKassa through its official SDK against a local server replaying recorded API exchanges (no network): the
SDK's own HTTP client, headers, JSON and error handling all run."""

import base64
import json
from decimal import Decimal as D

import pytest
from django.urls import reverse

from abonent.billing.models import LedgerEntry
from abonent.payments.models import Payment
from abonent.testing import factories as f

from .conftest import debt, indebted_account
from .yookassa_replay import PAYMENT_ID, RECORDED

pytestmark = pytest.mark.django_db


def notify(client, name="notification_succeeded", body=None):
    body = body if body is not None else (RECORDED / f"{name}.json").read_bytes()
    return client.post(reverse("payments:notify", args=["yookassa"]), data=body, content_type="application/json")


def start(client, account):
    user = f.UserFactory()
    f.AccountLinkFactory(user=user, account=account)
    client.force_login(user)
    r = client.post(reverse("payments:pay"), {f"pay_{account.pk}": "on", f"amount_{account.pk}": "1500,00"})
    assert r.status_code == 302
    return r


def test_create_sends_shop_credentials_and_redirects(client, yookassa):
    account = indebted_account()
    r = start(client, account)
    assert r["Location"].startswith("https://yoomoney.ru/checkout/")
    method, path, headers, body = yookassa.requests[0]
    assert (method, path) == ("POST", "/v3/payments")
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"100500:test_secret").decode()
    payment = Payment.objects.get()
    assert headers["Idempotence-Key"] == str(payment.order)
    assert body["amount"] == {"value": "1500.00", "currency": "RUB"}
    # 54-ФЗ: the receipt goes to the payer's e-mail
    assert body["receipt"]["customer"]["email"].endswith("@example.ru")
    assert body["receipt"]["items"][0]["amount"] == {"value": "1500.00", "currency": "RUB"}
    assert payment.provider == "yookassa" and payment.provider_payment_id == PAYMENT_ID
    assert payment.status == Payment.Status.PROCESSING


def test_notification_checked_with_the_api_and_credited_once(client, yookassa):
    account = indebted_account()
    start(client, account)
    # the notification claims success, but the API still says pending: nothing is credited
    assert notify(client).status_code == 200
    assert Payment.objects.get().status == Payment.Status.PROCESSING
    yookassa.state = "payment_succeeded"
    for _ in range(3):
        assert notify(client).status_code == 200
    assert Payment.objects.get().status == Payment.Status.CREDITED
    assert LedgerEntry.objects.filter(account=account, kind="payment").count() == 1
    assert debt(account) == D("0.00")


def test_payer_returns_first_then_notification(client, yookassa):
    account = indebted_account()
    start(client, account)
    yookassa.state = "payment_succeeded"
    page = client.get(reverse("payments:result", args=[Payment.objects.get().order])).content.decode()
    assert "Зачислен" in page
    assert notify(client).status_code == 200
    assert LedgerEntry.objects.filter(account=account, kind="payment").count() == 1


def test_canceled_payment_declined(client, yookassa):
    account = indebted_account()
    start(client, account)
    yookassa.state = "payment_canceled"
    notify(client)
    assert Payment.objects.get().status == Payment.Status.DECLINED
    # the recorded cancellation_details.reason "card_expired", explained in Russian
    assert Payment.objects.get().decline_reason == "Истёк срок действия карты. Оплатите другой картой."
    assert debt(account) == D("1500.00")


def test_unknown_or_malformed_notification_rejected(client, yookassa):
    account = indebted_account()
    start(client, account)
    forged = json.loads((RECORDED / "notification_succeeded.json").read_text())
    forged["object"]["id"] = "00000000-0000-0000-0000-000000000000"
    assert notify(client, body=json.dumps(forged).encode()).status_code == 403
    assert notify(client, body=b"{not json").status_code == 403
    assert Payment.objects.get().status == Payment.Status.PROCESSING
