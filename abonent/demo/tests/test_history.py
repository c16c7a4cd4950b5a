"""The demo's history as `seed_demo` builds it: what the demo subscriber sees, the payments, and the values
`demo_logins` prints for trying the other ways in. Two months of history keep it quick; the full year is
checked by billing's test_demo_history."""

import io
import re
from decimal import Decimal

import pytest
from captcha.conf import settings as captcha_settings
from django.core.cache import cache
from django.core.management import CommandError, call_command

from abonent.billing import selectors as billing
from abonent.billing.models import LedgerEntry
from abonent.demo.logins import DEMO_SUBSCRIBER
from abonent.demo.management.commands.demo_logins import demo_proofs
from abonent.housing.models import PersonalAccount
from abonent.orgs.models import Organisation
from abonent.payments.models import Payment
from abonent.users.models import AccountLink, User
from abonent.users.selectors import last_payment_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def captcha_passes(settings, monkeypatch):
    settings.CAPTCHA_TEST_MODE = True
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    cache.clear()
    yield
    cache.clear()


CAPTCHA = {"captcha_0": "test", "captcha_1": "PASSED"}


@pytest.fixture
def demo():
    call_command("seed_demo", "--months", "2", verbosity=0, stdout=io.StringIO())
    return {org.code: org for org in Organisation.objects.all()}


def test_demo_subscriber_sees_published_periods_with_charges_and_a_balance(demo):
    accounts = PersonalAccount.objects.filter(user_links__user__username=DEMO_SUBSCRIBER.username)
    assert accounts.count() == 2
    for account in accounts:
        periods = list(billing.account_periods(account=account))
        assert len(periods) == 2, account.number
        for balance in periods:
            assert balance.charged > 0
            assert balance.closing == (
                balance.opening + balance.charged + balance.recalculated + balance.penalties - balance.paid
            )
            assert billing.account_charges(account=account, period=balance.period).exists()


def test_history_payments_are_credited_payments_in_the_ledger(demo):
    payments = Payment.objects.filter(organisation__in=demo.values())
    assert payments.count() > 50
    assert set(payments.values_list("status", flat=True)) == {Payment.Status.CREDITED}
    # Each went to the ledger once, by payment_credit.
    entries = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT, account__organisation__in=demo.values())
    assert entries.count() == payments.count()
    assert sum(entries.values_list("amount", flat=True)) == sum(payments.values_list("amount", flat=True))


def test_months_out_of_range_is_refused():
    with pytest.raises(CommandError, match="от 0 до 60"):
        call_command("seed_demo", "--months", "-1", verbosity=0, stdout=io.StringIO())
    assert not Organisation.objects.exists()


def test_printed_proofs_work(client, demo):
    # Given what demo_logins prints for trying the other ways in
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    proofs = demo_proofs()
    by_code, by_payment = proofs.by_code, proofs.by_payment
    assert by_code is not None and by_payment is not None
    number, code = re.search(r"регистрация по квитанции .*лицевой счёт (\d+), код активации ([\d-]+)", text).groups()
    assert (number, code) == (by_code.number, by_code.activation_code)
    paid = re.search(r"лицевой счёт (\d+), последний платёж (\d\d)\.(\d\d)\.(\d{4}) на сумму (\d+,\d\d)", text)
    assert paid.group(1) == by_payment.number
    last = last_payment_of(by_payment)
    assert (paid.group(2), paid.group(3), paid.group(4)) == (f"{last[0]:%d}", f"{last[0]:%m}", f"{last[0]:%Y}")
    assert Decimal(paid.group(5).replace(",", ".")) == last[1]

    # When a newcomer registers by the printed receipt values, then it works
    response = client.post(
        "/register/receipt/",
        {
            "account_number": number,
            "email": "new@example.ru",
            "phone": "+79170000001",
            "activation_code": code,
            "consent": "on",
            **CAPTCHA,
        },
    )
    assert "Регистрация прошла успешно" in response.content.decode()
    assert AccountLink.objects.filter(user__username=number, account=by_code).exists()

    # When the demo subscriber adds the printed account by its last payment, then it is linked by the payment
    client.force_login(User.objects.get(username=DEMO_SUBSCRIBER.username))
    response = client.post(
        "/cabinet/accounts/add/",
        {
            "organisation": by_payment.organisation.pk,
            "building": by_payment.premises.building.pk,  # chosen from the house list
            "apartment": by_payment.premises.number,
            "account_number": paid.group(1),
            "payment_date": f"{paid.group(2)}.{paid.group(3)}.{paid.group(4)}",
            "payment_amount": paid.group(5),
            "activation_code": "",
            **CAPTCHA,
        },
    )
    assert response.status_code == 302, response.content.decode()
    link = AccountLink.objects.get(user__username=DEMO_SUBSCRIBER.username, account=by_payment)
    assert link.method == AccountLink.Method.LAST_PAYMENT
    # And demo_logins now offers accounts nobody has linked.
    again = demo_proofs()
    assert again.by_code != by_code and again.by_payment != by_payment
