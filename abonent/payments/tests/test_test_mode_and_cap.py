"""The sandbox says on every page that it is a test; an amount far above the debt is refused in Russian, by the
pay page and by the service alike, and nothing is created."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from abonent.payments import services
from abonent.payments.amount_cap import max_amount
from abonent.payments.models import Payment, SandboxCharge
from abonent.testing import factories as f

from .conftest import indebted_account

pytestmark = pytest.mark.django_db
TEST_MODE = "ТЕСТОВЫЙ РЕЖИМ: деньги не списываются"


def logged_in(client, account):
    user = f.UserFactory()
    f.AccountLinkFactory(user=user, account=account)
    client.force_login(user)
    return user


def pay(client, account, amount):
    return client.post(reverse("payments:pay"), {f"pay_{account.pk}": "on", f"amount_{account.pk}": amount})


def test_every_sandbox_page_says_it_is_a_test(client):
    account = indebted_account()
    logged_in(client, account)
    assert TEST_MODE in client.get(reverse("payments:pay")).content.decode()
    r = pay(client, account, "1500,00")
    assert TEST_MODE in client.get(r["Location"]).content.decode()  # the acquirer's card page
    order = Payment.objects.get(account=account).order
    assert TEST_MODE in client.get(reverse("payments:result", args=[order])).content.decode()


def test_real_provider_pages_do_not(client, yookassa):
    account = indebted_account()
    logged_in(client, account)
    assert TEST_MODE not in client.get(reverse("payments:pay")).content.decode()


@pytest.mark.parametrize("amount", ["1000000000", "30000,01", "99999999999,99"])
def test_pay_page_refuses_an_amount_far_above_the_debt(client, amount):
    account = indebted_account()  # owes 1 500 ₽: the cap is max(3 × 1 500, 30 000) = 30 000 ₽
    logged_in(client, account)
    r = pay(client, account, amount)
    assert r.status_code == 200
    page = r.content.decode()
    assert "намного больше задолженности" in page
    assert "не больше 30\xa0000,00\xa0₽" in page
    assert not Payment.objects.exists()
    assert not SandboxCharge.objects.exists()


def test_paying_ahead_within_the_cap_is_accepted(client):
    account = indebted_account()
    logged_in(client, account)
    assert pay(client, account, "30000,00").status_code == 302
    assert Payment.objects.get().amount == D("30000.00")


def test_a_large_debt_raises_the_cap(client):
    account = indebted_account(price=D("15000.00"))  # owes 15 000 ₽: up to 45 000 ₽
    logged_in(client, account)
    assert "не больше 45\xa0000,00\xa0₽" in pay(client, account, "45000,01").content.decode()
    assert not Payment.objects.exists()
    assert pay(client, account, "45000,00").status_code == 302


def test_cap_never_below_the_floor(settings):
    assert max_amount(D("0")) == D("30000.00")  # paid up: several months ahead still possible
    assert max_amount(D("-800")) == D("30000.00")  # in advance
    assert max_amount(D("20000")) == D("60000.00")
    settings.PAYMENTS_MAX_DEBT_MULTIPLE = 2
    settings.PAYMENTS_MAX_AMOUNT_FLOOR = 10000
    assert max_amount(D("1000")) == D("10000.00")
    assert max_amount(D("7000")) == D("14000.00")


def test_service_refuses_it_too(client):
    account = indebted_account()
    user = logged_in(client, account)
    with pytest.raises(services.PaymentError, match="намного больше задолженности"):
        services.payment_checkout(
            user=user, items=[(account, D("1000000000"))], return_url="http://x/__order__/", notify_url="http://x/"
        )
    with pytest.raises(services.PaymentError, match="больше нуля"):
        services.payment_checkout(
            user=user, items=[(account, D("-5"))], return_url="http://x/__order__/", notify_url="http://x/"
        )
    assert not Payment.objects.exists()
    assert not SandboxCharge.objects.exists()
