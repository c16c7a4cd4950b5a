"""The same notification 10 times at once, from 10 threads with their own connections: credited once."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection, connections

from abonent.billing.models import LedgerEntry
from abonent.payments import services
from abonent.payments.models import Payment, PaymentEvent, SandboxCharge
from abonent.payments.providers import sandbox
from abonent.testing import factories as f

from .conftest import debt, indebted_account


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_notifications_credit_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL")
    account = indebted_account()
    user = f.UserFactory()
    order, _ = services.payment_checkout(
        user=user, items=[(account, D("1500.00"))], return_url="http://x/__order__/", notify_url="http://x/"
    )
    payment = Payment.objects.get(order=order)
    SandboxCharge.objects.filter(token=payment.provider_payment_id).update(status="succeeded")
    body = sandbox.notification(payment.provider_payment_id, "succeeded")
    headers = {sandbox.SIGNATURE_HEADER: sandbox.sign(body)}
    barrier = threading.Barrier(10)
    results, errors = [], []

    def deliver():
        try:
            barrier.wait()
            results.append(services.notification_handle(provider_name="sandbox", body=body, headers=headers))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == [0] * 9 + [1]
    assert LedgerEntry.objects.filter(account=account, kind=LedgerEntry.Kind.PAYMENT).count() == 1
    assert PaymentEvent.objects.filter(payment=payment, status="credited").count() == 1
    assert debt(account) == D("0.00")
