"""Auto-pay in the sandbox: a saved card, a letter three days before the charge, one charge per account and
period (also from concurrent runs), never above the limit or the amount due, failures mailed and retried at most
max_attempts times, and off at once."""

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import reverse

from abonent.billing import cycle
from abonent.billing.penalties import due_date
from abonent.payments import autopay, services
from abonent.payments.models import AutoPay, AutoPayCharge, FiscalReceipt, Payment, SandboxCharge
from abonent.testing import factories as f

from .conftest import MONTH, debt, indebted_account
from .helpers import pay_by_card, subscriber

NOVEMBER = MONTH.replace(month=11)


def saved_card(client, capture):
    """A subscriber who paid October with "remember the card", then November published: 1 500 ₽ due."""
    account = indebted_account()
    user = subscriber(client, account)
    payment = pay_by_card(client, capture, account, save=True)
    assert payment.method_id == f"sbx-pm-{payment.provider_payment_id}"
    cycle.period_close(organisation=account.organisation, month=NOVEMBER)
    assert debt(account) == D("1500.00")
    return account, user, payment


def enable(user, account, payment, limit="1000", mode="on_receipt"):
    return autopay.autopay_enable(
        user=user, account_id=account.pk, method_payment_id=payment.pk, mode=mode, limit_text=limit
    )


def letters(subject):
    return [m for m in mail.outbox if subject in m.subject]


@pytest.mark.django_db
def test_letter_three_days_before_then_one_charge_within_the_limit(client, django_capture_on_commit_callbacks):
    account, user, payment = saved_card(client, django_capture_on_commit_callbacks)
    enable(user, account, payment)
    today = account.organisation.today()
    with django_capture_on_commit_callbacks(execute=True):
        assert autopay.autopay_run(today=today)["announced"] == 1
    row = AutoPayCharge.objects.get()
    assert row.amount == D("1000.00") and row.charge_on == today + dt.timedelta(days=3)
    (letter,) = letters("Автоплатёж")
    assert "1 000,00" in letter.body.replace("\u00a0", " ") and reverse("payments:autopay") in letter.body
    assert row.charge_on.strftime("%d.%m.%Y") in letter.body
    # the days before: nothing charged
    assert autopay.autopay_run(today=today + dt.timedelta(days=2))["charged"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert autopay.autopay_run(today=row.charge_on)["charged"] == 1
    assert debt(account) == D("500.00")
    charged = Payment.objects.get(pk=AutoPayCharge.objects.get().payment_id)
    assert charged.amount == D("1000.00") and charged.status == Payment.Status.CREDITED
    receipt = FiscalReceipt.objects.get(payment=charged)
    assert receipt.status == "registered" and receipt.emailed_at is not None
    for _ in range(3):
        assert autopay.autopay_run(today=row.charge_on + dt.timedelta(days=5))["charged"] == 0
    assert Payment.objects.filter(external_id__startswith="autopay:").count() == 1


@pytest.mark.django_db
def test_never_more_than_what_is_due_at_the_charge(client, django_capture_on_commit_callbacks):
    account, user, payment = saved_card(client, django_capture_on_commit_callbacks)
    enable(user, account, payment, limit="5000")
    autopay.autopay_run(today=account.organisation.today())
    row = AutoPayCharge.objects.get()
    assert row.amount == D("1500.00")
    services.payment_cash_create(account=account, amount=D("1200.00"), paid_on=account.organisation.today(), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        autopay.autopay_run(today=row.charge_on)
    assert AutoPayCharge.objects.get().amount == D("300.00") and debt(account) == D("0.00")


@pytest.mark.django_db
def test_a_day_before_the_due_date(client, django_capture_on_commit_callbacks):
    account, user, payment = saved_card(client, django_capture_on_commit_callbacks)
    enable(user, account, payment, mode="before_due")
    charge_on = due_date(account.organisation, NOVEMBER) - dt.timedelta(days=1)
    today = account.organisation.today()
    if charge_on - dt.timedelta(days=3) > today:
        assert autopay.autopay_run(today=today)["announced"] == 0
    autopay.autopay_run(today=max(today, charge_on - dt.timedelta(days=3)))
    assert AutoPayCharge.objects.get().charge_on == max(charge_on, today + dt.timedelta(days=3))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ("0", "Лимит автоплатежа должен быть больше нуля."),
        ("-100", "Лимит автоплатежа должен быть больше нуля."),
        ("0,00", "Лимит автоплатежа должен быть больше нуля."),
        ("сто", "Лимит указывается в рублях и копейках"),
    ],
)
def test_bad_limit_refused(client, django_capture_on_commit_callbacks, limit, message):
    account, user, payment = saved_card(client, django_capture_on_commit_callbacks)
    with pytest.raises(services.PaymentError, match=message):
        enable(user, account, payment, limit=limit)
    r = client.post(
        reverse("payments:autopay"), {"account": account.pk, "method": payment.pk, "mode": "on_receipt", "limit": limit}
    )
    assert r.status_code == 400 and message in r.content.decode()
    assert not AutoPay.objects.exists()


@pytest.mark.django_db
def test_turn_on_and_off_from_the_cabinet_scoped(client, django_capture_on_commit_callbacks):
    account, user, payment = saved_card(client, django_capture_on_commit_callbacks)
    r = client.post(
        reverse("payments:autopay"),
        {"account": account.pk, "method": payment.pk, "mode": "on_receipt", "limit": "2000"},
    )
    assert r.status_code == 302
    ap = AutoPay.objects.get(active=True)
    autopay.autopay_run(today=account.organisation.today())
    other = subscriber(client, indebted_account())
    assert other != user
    assert client.post(reverse("payments:autopay_off", args=[ap.pk])).status_code == 404
    assert AutoPay.objects.get(pk=ap.pk).active
    client.force_login(user)
    assert client.post(reverse("payments:autopay_off", args=[ap.pk])).status_code == 302
    # off at once: the announced charge is not made
    assert autopay.autopay_run(today=AutoPayCharge.objects.get().charge_on)["charged"] == 0
    assert AutoPayCharge.objects.get().status == AutoPayCharge.Status.CANCELLED
    assert debt(account) == D("1500.00")


@pytest.mark.django_db
def test_failure_mailed_and_retried_at_most_max_attempts(client, django_capture_on_commit_callbacks):
    account, user, payment = saved_card(client, django_capture_on_commit_callbacks)
    ap = enable(user, account, payment)
    AutoPay.objects.filter(pk=ap.pk).update(method_id="sbx-pm-decline", max_attempts=2)
    autopay.autopay_run(today=account.organisation.today())
    day = AutoPayCharge.objects.get().charge_on
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            autopay.autopay_run(today=day)
    row = AutoPayCharge.objects.get()
    assert row.status == AutoPayCharge.Status.GAVE_UP and row.attempts == 2
    assert Payment.objects.filter(external_id__startswith="autopay:", status="declined").count() == 2
    failed = letters("не прошёл")
    assert len(failed) == 2 and "Попытки исчерпаны" in failed[-1].body
    assert debt(account) == D("1500.00")


def _race(day, count=6) -> list:
    barrier = threading.Barrier(count)
    errors = []

    def run():
        try:
            barrier.wait()
            autopay.autopay_run(today=day)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_announce_once_and_charge_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and real concurrency need PostgreSQL")
    account = indebted_account()
    user = f.UserFactory()
    f.AccountLinkFactory(user=user, account=account)
    order, _ = services.payment_checkout(
        user=user,
        items=[(account, D("1500.00"))],
        return_url="http://x/__order__/",
        notify_url="http://x/",
        save_method=True,
    )
    first = Payment.objects.get(order=order)
    SandboxCharge.objects.filter(token=first.provider_payment_id).update(status="succeeded")
    services.payment_credit(payment=first)
    cycle.period_close(organisation=account.organisation, month=NOVEMBER)
    enable(user, account, Payment.objects.get(pk=first.pk))
    assert _race(account.organisation.today()) == []
    assert AutoPayCharge.objects.count() == 1
    assert _race(AutoPayCharge.objects.get().charge_on) == []
    assert Payment.objects.filter(external_id__startswith="autopay:").count() == 1
    assert AutoPayCharge.objects.get().status == AutoPayCharge.Status.SUCCEEDED
    assert debt(account) == D("500.00")
