"""Card payments through the sandbox acquirer: credited exactly once whatever the order or repetition of events."""

import datetime as dt
import uuid
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from abonent.billing.models import LedgerEntry
from abonent.payments import services
from abonent.payments.models import Payment, SandboxCharge
from abonent.payments.providers import sandbox
from abonent.testing import factories as f

from .conftest import debt, indebted_account

pytestmark = pytest.mark.django_db


def logged_in(client, *accounts):
    user = f.UserFactory()
    for a in accounts:
        f.AccountLinkFactory(user=user, account=a)
    client.force_login(user)
    return user


def start(client, account, amount="1500,00"):
    r = client.post(reverse("payments:pay"), {f"pay_{account.pk}": "on", f"amount_{account.pk}": amount})
    assert r.status_code == 302, r.content.decode()[:2000]
    payment = Payment.objects.get(account=account)
    return payment, r["Location"]


@pytest.fixture
def card(client, django_capture_on_commit_callbacks):
    """Post the sandbox's card form; its notification goes out after commit, as it would from a real acquirer."""

    def post(location, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(location, data)

    return post


def signed(token, status):
    body = sandbox.notification(token, status)
    return body, {sandbox.SIGNATURE_HEADER: sandbox.sign(body)}


def post_notification(client, token, status, signature=None):
    body, headers = signed(token, status)
    if signature is not None:
        headers = {sandbox.SIGNATURE_HEADER: signature}
    return client.post(
        reverse("payments:notify", args=["sandbox"]), data=body, content_type="application/json", **headers
    )


def payments_in_ledger(account):
    return list(
        LedgerEntry.objects.filter(account=account, kind=LedgerEntry.Kind.PAYMENT).values_list("amount", flat=True)
    )


def test_pay_page_shows_amount_due_and_starts_processing(client):
    account = indebted_account()
    logged_in(client, account)
    page = client.get(reverse("payments:pay")).content.decode()
    assert "Не оплачено услуг на сумму" in page
    assert "1 500,00" in page or "1500,00" in page
    payment, location = start(client, account, "123,45")
    assert payment.amount == D("123.45")
    assert payment.status == Payment.Status.PROCESSING
    assert location.startswith("/sandbox-acquirer/pay/")
    assert "В обработке" in client.get(reverse("payments:pay")).content.decode()


def test_success_card_credits_once_and_changes_balance(card, client):
    account = indebted_account()
    logged_in(client, account)
    payment, location = start(client, account, "1000,00")
    r = card(location, {"number": "4111 1111 1111 1111", "expiry": "12/30", "cvc": "123"})
    assert r.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREDITED
    assert debt(account) == D("500.00")
    # the payer returns after the notification: nothing more
    page = client.get(r["Location"]).content.decode()
    assert "Зачислен" in page
    assert payments_in_ledger(account) == [D("1000.00")]


def test_payer_returns_before_notification(card, client, settings):
    settings.PAYMENTS_SANDBOX_DELIVERY = "http"  # to an address nobody listens on: the notification is lost
    account = indebted_account()
    logged_in(client, account)
    payment, location = start(client, account)
    charge = SandboxCharge.objects.get(token=payment.provider_payment_id)
    charge.notify_url = "http://127.0.0.1:9/nowhere"
    charge.save()
    r = card(location, {"number": "4111111111111111", "expiry": "12/30", "cvc": "123"})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING
    assert "Зачислен" in client.get(r["Location"]).content.decode()  # the return asks the acquirer
    # ...and the late notification, when it comes, changes nothing
    assert post_notification(client, charge.token, "succeeded").status_code == 200
    assert payments_in_ledger(account) == [D("1500.00")]
    assert debt(account) == D("0.00")


def test_notification_twice_and_out_of_order(client):
    account = indebted_account()
    logged_in(client, account)
    payment, _ = start(client, account)
    token = payment.provider_payment_id
    SandboxCharge.objects.filter(token=token).update(status="succeeded")
    for _ in range(2):
        assert post_notification(client, token, "succeeded").status_code == 200
    # a "declined" arriving late (out of order) does not undo the credit
    assert post_notification(client, token, "declined").status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREDITED
    assert payments_in_ledger(account) == [D("1500.00")]


def test_decline_then_success_notification_never_credits(card, client):
    account = indebted_account()
    logged_in(client, account)
    payment, location = start(client, account)
    card(location, {"number": "4000000000000002", "expiry": "12/30", "cvc": "123"})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DECLINED
    post_notification(client, payment.provider_payment_id, "succeeded")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DECLINED
    assert payments_in_ledger(account) == []
    assert debt(account) == D("1500.00")


def test_forged_notification_rejected(client):
    account = indebted_account()
    logged_in(client, account)
    payment, _ = start(client, account)
    r = post_notification(client, payment.provider_payment_id, "succeeded", signature="0" * 64)
    assert r.status_code == 403
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING
    assert payments_in_ledger(account) == []


def test_three_d_secure_step(card, client):
    account = indebted_account()
    logged_in(client, account)
    payment, location = start(client, account)
    r = card(location, {"number": "4000000000003220", "expiry": "12/30", "cvc": "123"})
    assert r.status_code == 200 and "3-D Secure" in r.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING
    card(location, {"code": "12345"})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREDITED


@pytest.mark.parametrize(
    "card_data, error",
    [
        (("4111111111111112", "12/30", "123"), "Неверный номер карты"),
        (("4111111111111111", "01/20", "123"), "истёк"),
        (("4111111111111111", "12/30", "12"), "CVC"),
    ],
)
def test_card_page_checks(card, client, card_data, error):
    account = indebted_account()
    logged_in(client, account)
    payment, location = start(client, account)
    number, expiry, cvc = card_data
    r = card(location, {"number": number, "expiry": expiry, "cvc": cvc})
    assert error in r.content.decode()
    assert SandboxCharge.objects.get(token=payment.provider_payment_id).status == "pending"


def test_several_accounts_in_one_go(card, client):
    org = f.OrganisationFactory()
    a1, a2 = indebted_account(org=org), indebted_account(org=org)
    logged_in(client, a1, a2)
    r = client.post(
        reverse("payments:pay"),
        {f"pay_{a1.pk}": "on", f"amount_{a1.pk}": "100,50", f"pay_{a2.pk}": "on", f"amount_{a2.pk}": "1 500"},
    )
    charge = SandboxCharge.objects.get()
    assert charge.amount == D("1600.50")
    card(r["Location"], {"number": "4111111111111111", "expiry": "12/30", "cvc": "123"})
    assert payments_in_ledger(a1) == [D("100.50")] and payments_in_ledger(a2) == [D("1500.00")]


@pytest.mark.parametrize("text", ["abc", "0", "-5", "1,234", "12.345"])
def test_bad_amount_refused(client, text):
    account = indebted_account()
    logged_in(client, account)
    r = client.post(reverse("payments:pay"), {f"pay_{account.pk}": "on", f"amount_{account.pk}": text})
    assert r.status_code == 200
    assert not Payment.objects.exists()


def test_another_users_payment_is_404(client):
    account = indebted_account()
    logged_in(client, account)
    payment, _ = start(client, account)
    logged_in(client, indebted_account())
    assert client.get(reverse("payments:result", args=[payment.order])).status_code == 404
    assert client.get(reverse("payments:result", args=[uuid.uuid4()])).status_code == 404


def test_cannot_pay_someone_elses_account(client):
    mine, theirs = indebted_account(), indebted_account()
    logged_in(client, mine)
    client.post(reverse("payments:pay"), {f"pay_{theirs.pk}": "on", f"amount_{theirs.pk}": "10"})
    assert not Payment.objects.filter(account=theirs).exists()


def test_cash_and_cancel_with_audit():
    account = indebted_account()
    operator = f.OperatorFactory(organisation=account.organisation)
    payment = services.payment_cash_create(
        account=account, amount=D("700"), paid_on=account.organisation.today(), actor=operator
    )
    assert payment.status == Payment.Status.CREDITED
    assert debt(account) == D("800.00")
    with pytest.raises(services.PaymentError):
        services.payment_cancel(payment=payment, reason=" ", actor=operator)
    services.payment_cancel(payment=payment, reason="ошибка кассира", actor=operator)
    services.payment_cancel(payment=payment, reason="ошибка кассира", actor=operator)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
    assert debt(account) == D("1500.00")
    assert payment.events.filter(status="cancelled", actor=operator, details="ошибка кассира").count() == 1


def test_cabinet_links_to_pay_page(client):
    account = indebted_account()
    logged_in(client, account)
    assert reverse("payments:pay") in client.get("/cabinet/").content.decode()


def test_result_page_refreshes_while_processing(client):
    account = indebted_account()
    logged_in(client, account)
    payment, _ = start(client, account)
    page = client.get(reverse("payments:result", args=[payment.order])).content.decode()
    assert "В обработке" in page and 'http-equiv="refresh"' in page


def test_card_payment_dated_when_the_acquirer_confirms(card, client):

    account = indebted_account()
    logged_in(client, account)
    with time_machine.travel(dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)):
        payment, location = start(client, account)
        assert payment.paid_on == dt.date(2026, 11, 30)
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)):
        card(location, {"number": "4111111111111111", "expiry": "12/30", "cvc": "123"})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREDITED and payment.paid_on == dt.date(2026, 12, 1)
    assert LedgerEntry.objects.get(account=account, kind="payment").occurred_on == dt.date(2026, 12, 1)


def test_pay_page_links_to_the_accounts_receipts(client):
    account = indebted_account()
    logged_in(client, account)
    page = client.get(reverse("payments:pay")).content.decode()
    assert reverse("receipts:list", args=[account.pk]) in page
