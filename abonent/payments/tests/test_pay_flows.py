"""The pay page opened from one account's "Оплата", a decline explained in Russian, and "Мои платежи"."""

import re

import pytest
from django.urls import reverse

from abonent.payments.decline_reasons import REASONS
from abonent.payments.models import Payment
from abonent.payments.providers import sandbox
from abonent.testing import factories as f

from .conftest import indebted_account
from .test_card import logged_in, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(client, django_capture_on_commit_callbacks):
    """Post the sandbox's card form; its notification goes out after commit."""

    def post(location, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(location, data)

    return post


def checked_boxes(html: str) -> set[str]:
    return set(re.findall(r'name="pay_(\d+)" checked', html))


def test_account_button_preselects_only_that_account(client):
    first, second = indebted_account(), indebted_account()  # two organisations, both in debt
    logged_in(client, first, second)
    everything = client.get(reverse("payments:pay")).content.decode()
    assert checked_boxes(everything) == {str(first.pk), str(second.pk)}
    one = client.get(reverse("payments:pay"), {"account": second.pk}).content.decode()
    assert checked_boxes(one) == {str(second.pk)}


@pytest.mark.parametrize("value", ["abc", "-1", "999999", ""])
def test_preselecting_a_foreign_or_bad_account_is_404(client, value):
    mine, foreign = indebted_account(), indebted_account()
    logged_in(client, mine)
    assert client.get(reverse("payments:pay"), {"account": value}).status_code == 404
    assert client.get(reverse("payments:pay"), {"account": foreign.pk}).status_code == 404


def test_declined_card_gives_the_reason_in_russian(client, card):
    account = indebted_account()
    logged_in(client, account)
    payment, location = start(client, account)
    r = card(location, {"number": sandbox.DECLINE_CARD, "expiry": "12/30", "cvc": "123"})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DECLINED
    assert payment.decline_reason == REASONS["insufficient_funds"] == "Недостаточно средств на карте."
    page = client.get(r["Location"]).content.decode()
    assert "Недостаточно средств на карте." in page


def test_failed_3ds_gives_its_reason(client, card):
    account = indebted_account()
    logged_in(client, account)
    payment, location = start(client, account)
    client.post(location, {"number": sandbox.THREE_DS_CARD, "expiry": "12/30", "cvc": "123"})
    card(location, {"code": "00000"})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DECLINED
    assert payment.decline_reason == REASONS["3d_secure_failed"]


def test_reason_read_back_on_return_before_the_notification(client):
    """The payer is back before the notification: the reason comes from asking the sandbox."""
    account = indebted_account()
    logged_in(client, account)
    payment, location = start(client, account)
    client.post(location, {"number": sandbox.DECLINE_CARD, "expiry": "12/30", "cvc": "123"})  # no commit hooks run
    page = client.get(reverse("payments:result", args=[payment.order])).content.decode()
    assert "Недостаточно средств на карте." in page


def test_my_payments_lists_only_own_card_payments(client, card):
    account = indebted_account()
    user = logged_in(client, account)
    payment, location = start(client, account, "700,00")
    card(location, {"number": sandbox.DECLINE_CARD, "expiry": "12/30", "cvc": "123"})
    other_account = indebted_account()
    f.AccountLinkFactory(user=f.UserFactory(), account=other_account)
    Payment.objects.create(
        organisation=other_account.organisation,
        account=other_account,
        amount="321.00",
        channel=Payment.Channel.CARD,
        external_id="someone-else",
        paid_on=payment.paid_on,
        user=f.UserFactory(),
    )
    page = client.get(reverse("payments:mine")).content.decode()
    assert f"Л/С № {account.number}" in page and re.search(r"700,00", page)
    assert "Отклонён" in page and "Недостаточно средств на карте." in page
    assert other_account.number not in page and "321,00" not in page
    assert user.payments.count() == 1
    assert reverse("payments:mine") in client.get(reverse("users:cabinet")).content.decode()
    assert client.get(reverse("payments:mine"), {"page": "zzz"}).status_code == 200
