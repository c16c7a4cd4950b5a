"""Linking an account by the date and amount of its last payment (seed 004 "Добавить лицевой счёт").

The payments are made through abonent.payments' own services, so the proof is read from what the ledger got.
"""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import time_machine

from abonent.payments import services as payments
from abonent.payments.models import Payment
from abonent.testing.factories import PersonalAccountFactory, UserFactory
from abonent.users.models import AccountLink
from abonent.users.selectors import last_payment_of

from .conftest import CAPTCHA

pytestmark = pytest.mark.django_db

FAILED = "Не удалось подтвердить лицевой счёт"


def _cash(account, amount: str, day: dt.date) -> Payment:
    return payments.payment_cash_create(account=account, amount=Decimal(amount), paid_on=day, actor=None)


def _card(account, amount: str) -> Payment:
    return Payment.objects.create(
        organisation=account.organisation,
        account=account,
        amount=Decimal(amount),
        channel=Payment.Channel.CARD,
        provider="sandbox",
        external_id=str(uuid.uuid4()),
        paid_on=dt.date(2026, 10, 1),
        status=Payment.Status.PROCESSING,
    )


def _add_form(account, **over):
    data = {
        "organisation": account.organisation.pk,
        "building": account.premises.building.pk,
        "apartment": account.premises.number,
        "account_number": account.number,
        "payment_date": "05.10.2026",
        "payment_amount": "123,45",
        "activation_code": "",
        **CAPTCHA,
    }
    data.update(over)
    return data


def test_no_payments_no_proof(account):
    assert last_payment_of(account) is None


def test_the_last_credited_payment_counts(account, other_account):
    # Given payments of several days, one still being processed, one cancelled and one of another account
    _cash(account, "500.00", dt.date(2026, 9, 3))
    _cash(account, "123.45", dt.date(2026, 10, 5))
    _card(account, "77.00")  # processing: not paid yet
    later = _cash(account, "999.00", dt.date(2026, 10, 20))
    payments.payment_cancel(payment=later, reason="ошибка кассира", actor=None)
    _cash(other_account, "1.00", dt.date(2026, 11, 1))
    # Then the last credited one of this account is the proof
    assert last_payment_of(account) == (dt.date(2026, 10, 5), Decimal("123.45"))


def test_two_payments_in_a_day_the_later_credited_counts(account):
    _cash(account, "100.00", dt.date(2026, 10, 5))
    _cash(account, "200.00", dt.date(2026, 10, 5))
    assert last_payment_of(account) == (dt.date(2026, 10, 5), Decimal("200.00"))


def test_card_payment_dated_by_the_organisations_day(account):
    # Given a card payment confirmed at 22:30 UTC, which is already the next day in Ulyanovsk (UTC+4)
    account.organisation.timezone = "Europe/Ulyanovsk"
    account.organisation.save(update_fields=["timezone"])
    payment = _card(account, "123.45")
    with time_machine.travel(dt.datetime(2026, 10, 4, 22, 30, tzinfo=dt.UTC).timestamp(), tick=False):
        assert payments.payment_credit(payment=payment)
    assert last_payment_of(account) == (dt.date(2026, 10, 5), Decimal("123.45"))


def test_link_by_last_payment(client, account):
    # Given an account whose last payment was 123,45 ₽ on 5 October
    _cash(account, "123.45", dt.date(2026, 10, 5))
    user = UserFactory()
    client.force_login(user)
    # When the subscriber types them as printed on the bank's slip
    response = client.post("/cabinet/accounts/add/", _add_form(account))
    # Then the account is linked, proven by the payment
    assert response.status_code == 302 and response["Location"] == "/cabinet/"
    link = AccountLink.objects.get(user=user)
    assert link.account == account and link.method == AccountLink.Method.LAST_PAYMENT
    assert account.number in client.get("/cabinet/").content.decode()


@pytest.mark.parametrize(
    "over",
    [
        {"payment_amount": "123,46"},
        {"payment_amount": "500"},  # an earlier payment is not the last one
        {"payment_date": "04.10.2026"},
        {"payment_date": "03.09.2026", "payment_amount": "500,00"},
        {"payment_date": "20.10.2026", "payment_amount": "999,00"},  # cancelled
    ],
)
def test_link_by_wrong_payment_is_refused(client, account, over):
    _cash(account, "500.00", dt.date(2026, 9, 3))
    _cash(account, "123.45", dt.date(2026, 10, 5))
    cancelled = _cash(account, "999.00", dt.date(2026, 10, 20))
    payments.payment_cancel(payment=cancelled, reason="ошибка кассира", actor=None)
    user = UserFactory()
    client.force_login(user)
    response = client.post("/cabinet/accounts/add/", _add_form(account, **over))
    page = response.content.decode()
    assert response.status_code == 200 and FAILED in page
    assert not AccountLink.objects.exists()


@pytest.fixture
def other_account(db):
    return PersonalAccountFactory(number="820000002")
