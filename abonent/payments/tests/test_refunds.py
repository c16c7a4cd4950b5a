"""Refunds by an operator: part or all of a card or СБП payment, a reversal in the ledger's open period, a fiscal
refund receipt; above what is left of the payment refused in Russian with nothing changed, also when two
operators refund at once."""

import threading
from decimal import Decimal as D

import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import reverse

from abonent.billing.models import LedgerEntry
from abonent.payments import refunds, services
from abonent.payments.models import FiscalReceipt, Payment, Refund, SandboxCharge
from abonent.testing import factories as f

from .conftest import debt, indebted_account
from .helpers import pay_by_card, subscriber


def paid(client, capture):
    account = indebted_account()
    subscriber(client, account)
    return account, pay_by_card(client, capture, account)


@pytest.mark.django_db
def test_partial_then_rest_refunded_with_receipts(client, django_capture_on_commit_callbacks):
    account, payment = paid(client, django_capture_on_commit_callbacks)
    operator = f.UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        first = refunds.refund_create(payment=payment, amount=D("400.00"), reason="Переплата", actor=operator)
    assert debt(account) == D("400.00")
    entry = LedgerEntry.objects.get(account=account, amount=D("-400.00"))
    assert entry.period.state != "published"  # the open period, not the published October
    receipt = FiscalReceipt.objects.get(refund=first)
    assert receipt.kind == "refund" and receipt.status == "registered" and receipt.total == D("400.00")
    assert receipt.items[0]["amount"] == "400.00"
    assert refunds.refundable(payment) == D("1100.00")
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_create(payment=payment, amount=D("1100.00"), reason="Закрыт счёт", actor=operator)
    assert debt(account) == D("1500.00")
    assert SandboxCharge.objects.get(token=payment.provider_payment_id).refunded == D("1500.00")
    assert len([m for m in mail.outbox if "(возврат)" in m.subject]) == 2
    page = client.get(reverse("payments:mine")).content.decode()
    assert "Чек возврата" in page and "возвращено 1" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        (D("1500.01"), "Ошибка", "больше, чем можно вернуть по этому платежу: 1 500,00"),
        (D("0"), "Ошибка", "Сумма возврата должна быть больше нуля."),
        (D("10"), "  ", "Укажите причину возврата."),
    ],
)
def test_bad_refunds_refused_nothing_changed(client, django_capture_on_commit_callbacks, amount, reason, message):
    account, payment = paid(client, django_capture_on_commit_callbacks)
    entries = LedgerEntry.objects.count()
    with pytest.raises(services.PaymentError) as exc:
        refunds.refund_create(payment=payment, amount=amount, reason=reason, actor=None)
    assert message in str(exc.value).replace("\u00a0", " ")
    assert not Refund.objects.exists() and LedgerEntry.objects.count() == entries
    assert SandboxCharge.objects.get(token=payment.provider_payment_id).refunded == 0


@pytest.mark.django_db
def test_refund_after_an_earlier_one_cannot_exceed_the_rest(client, django_capture_on_commit_callbacks):
    _, payment = paid(client, django_capture_on_commit_callbacks)
    refunds.refund_create(payment=payment, amount=D("1000.00"), reason="Переплата", actor=None)
    with pytest.raises(services.PaymentError, match="уже возвращено"):
        refunds.refund_create(payment=payment, amount=D("600.00"), reason="Ещё", actor=None)
    assert Refund.objects.count() == 1


@pytest.mark.django_db
def test_cash_payment_is_not_refunded_through_the_provider():
    account = indebted_account()
    cash = services.payment_cash_create(
        account=account, amount=D("100.00"), paid_on=account.organisation.today(), actor=None
    )
    with pytest.raises(services.PaymentError, match="только платёж картой или по СБП"):
        refunds.refund_create(payment=cash, amount=D("100.00"), reason="Ошибка", actor=None)


@pytest.mark.django_db
def test_admin_refund_form(client, django_capture_on_commit_callbacks):
    account, payment = paid(client, django_capture_on_commit_callbacks)
    admin_client = client
    admin_client.force_login(f.OperatorFactory(organisation=account.organisation))
    url = reverse("admin:payments_payment_refund", args=[payment.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and "можно вернуть 1" in page.content.decode()
    r = admin_client.post(url, {"amount": "2000", "reason": "Ошибка"})
    assert r.status_code == 200 and "больше, чем можно вернуть" in r.content.decode()
    r = admin_client.post(url, {"amount": "-5", "reason": "Ошибка"})
    assert r.status_code == 200 and "Сумма указывается" in r.content.decode()
    assert not Refund.objects.exists()
    r = admin_client.post(url, {"amount": "500,00", "reason": "Ошибка в сумме"})
    assert r.status_code == 302 and Refund.objects.get().amount == D("500.00")
    assert admin_client.get(reverse("admin:payments_payment_change", args=[payment.pk])).status_code == 200


@pytest.mark.django_db
def test_operator_of_another_organisation_gets_404(client, django_capture_on_commit_callbacks):
    _, payment = paid(client, django_capture_on_commit_callbacks)
    client.force_login(f.OperatorFactory(organisation=f.OrganisationFactory()))
    assert client.get(reverse("admin:payments_payment_refund", args=[payment.pk])).status_code == 404
    assert not Refund.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_cannot_exceed_the_payment(client, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL")
    account = indebted_account()
    user = f.UserFactory()
    order, _ = services.payment_checkout(
        user=user, items=[(account, D("1500.00"))], return_url="http://x/__order__/", notify_url="http://x/"
    )
    payment = Payment.objects.get(order=order)
    SandboxCharge.objects.filter(token=payment.provider_payment_id).update(status="succeeded")
    services.payment_credit(payment=payment)
    barrier = threading.Barrier(5)
    done, refused = [], []

    def refund():
        try:
            barrier.wait()
            done.append(refunds.refund_create(payment=payment, amount=D("1000.00"), reason="Двойной", actor=None))
        except services.PaymentError:
            refused.append(1)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refund) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(done), len(refused)) == (1, 4)
    assert Refund.objects.count() == 1 and debt(account) == D("1000.00")
