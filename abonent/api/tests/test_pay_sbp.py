"""Paying by СБП through the API, against the local server replaying YooKassa (the payments tests' own): the QR
payload comes back with the order, an Idempotency-Key repeat asks YooKassa nothing more, and the provider's
notification credits the payment once; another resident's order is 404."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from abonent.billing.models import LedgerEntry
from abonent.payments.models import Payment
from abonent.payments.tests.yookassa_replay import RECORDED, yookassa  # noqa: F401  (the replayed YooKassa API)

pytestmark = pytest.mark.django_db
NSPK = "https://qr.nspk.ru/AS1A0054BQNF5O7T8L1OJ2ACIP5E0CTO?type=02&bank=100000000022&sum=150000&cur=RUB&crc=AB75"


def pay(resident, method="sbp", key="sbp-1"):
    body = {"items": [{"account": resident.account.pk, "amount": "1500,00"}], "method": method}
    return resident.write.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_sbp_returns_the_qr_payload_once_per_key(resident, yookassa, client, django_capture_on_commit_callbacks):  # noqa: F811
    entries = LedgerEntry.objects.filter(account=resident.account, kind="payment")
    before = entries.count()
    first = pay(resident)
    assert first.status_code == 201, first.json()
    data = first.json()
    (asked,) = yookassa.posted("/v3/payments")
    assert asked["payment_method_data"] == {"type": "sbp"} and asked["confirmation"] == {"type": "qr"}
    assert asked["amount"] == {"value": "1500.00", "currency": "RUB"}
    assert data["method"] == "sbp" and data["sbp_payload"] == NSPK
    assert data["confirmation_url"] == "http://testserver" + reverse("payments:sbp", args=[data["order"]])
    payment = Payment.objects.get()
    assert payment.channel == Payment.Channel.SBP and payment.status == Payment.Status.PROCESSING
    assert data["payments"][0] == {**data["payments"][0], "id": payment.pk, "amount": "1500.00"}

    again = pay(resident)
    assert again.json() == data and again["Idempotent-Replayed"] == "true"
    assert len(yookassa.posted("/v3/payments")) == 1 and Payment.objects.count() == 1

    yookassa.state = "payment_succeeded"
    notification = (RECORDED / "notification_succeeded.json").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            r = client.post(reverse("payments:notify", args=["yookassa"]), notification, "application/json")
            assert r.status_code == 200
    order = resident.read.get(f"/api/v1/payments/orders/{data['order']}/").json()
    assert order["processing"] is False and order["payments"][0]["status"] == Payment.Status.CREDITED
    (credited,) = entries.order_by("-pk")[: entries.count() - before]
    assert entries.count() == before + 1 and abs(credited.amount) == D("1500.00")


def test_card_is_still_the_default_and_has_no_payload(resident, yookassa):  # noqa: F811
    body = {"items": [{"account": resident.account.pk, "amount": "1500,00"}]}
    answer = resident.write.post("/api/v1/payments/", body, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["method"] == "card" and answer.json()["sbp_payload"] is None
    assert answer.json()["confirmation_url"].startswith("https://")  # YooKassa's own payment page
    assert "payment_method_data" not in yookassa.posted("/v3/payments")[0]


def test_unknown_method_is_refused_in_russian(resident, yookassa):  # noqa: F811
    answer = pay(resident, method="bitcoin", key="x")
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "validation_error"
    assert "method" in answer.json()["error"]["fields"] and not Payment.objects.exists()
    assert yookassa.posted("/v3/payments") == []


def test_another_residents_sbp_order_is_404(resident, stranger, yookassa):  # noqa: F811
    order = pay(resident).json()["order"]
    assert stranger.read.get(f"/api/v1/payments/orders/{order}/").status_code == 404
