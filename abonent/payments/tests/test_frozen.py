"""Published means frozen: a registry, cash-desk or cancelled payment dated in a published month never rewrites
that month's balance; it is posted in the open period and keeps the day it was paid."""

import datetime as dt
from decimal import Decimal as D

import pytest

from abonent.billing import cycle, ledger
from abonent.billing.models import AccountBalance, LedgerEntry
from abonent.payments import registry, services
from abonent.testing import factories as f

from .conftest import debt, indebted_account
from .test_registry import build, line

pytestmark = pytest.mark.django_db
OCTOBER, NOVEMBER = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def october(account):
    row = AccountBalance.objects.get(account=account, period__month=OCTOBER)
    return row.opening, row.charged, row.paid, row.closing


def test_registry_payment_dated_in_a_published_month_goes_to_the_open_period():
    account = indebted_account()  # October published: 1 500,00 charged, nothing paid
    org = account.organisation
    before = october(account)
    assert before == (0, D("1500.00"), 0, D("1500.00"))
    registry.registry_import(
        organisation=org, data=build([line(account.number, "1000.00", "P1", date="05/10/2026")]), file_name="r.txt"
    )
    # the October receipt's figures stay; the payment is in November with its own date
    assert october(account) == before
    entry = LedgerEntry.objects.get(account=account, kind=LedgerEntry.Kind.PAYMENT)
    assert (entry.period.month, entry.occurred_on, entry.amount) == (NOVEMBER, dt.date(2026, 10, 5), D("1000.00"))
    assert debt(account) == D("500.00")  # 1 500,00 − 1 000,00
    cycle.period_close(organisation=org, month=NOVEMBER)
    november = AccountBalance.objects.get(account=account, period__month=NOVEMBER)
    # 1 500,00 brought in + 1 500,00 charged − 1 000,00 paid; the rest of October's debt is not overdue yet
    assert (november.opening, november.charged, november.paid, november.penalties, november.closing) == (
        D("1500.00"),
        D("1500.00"),
        D("1000.00"),
        0,
        D("2000.00"),
    )


def test_cash_desk_payment_dated_in_a_published_month_goes_to_the_open_period():
    account = indebted_account()
    before = october(account)
    services.payment_cash_create(
        account=account, amount=D("300.00"), paid_on=dt.date(2026, 10, 31), actor=f.OperatorFactory()
    )
    assert october(account) == before
    entry = LedgerEntry.objects.get(account=account, kind=LedgerEntry.Kind.PAYMENT)
    assert (entry.period.month, entry.occurred_on) == (NOVEMBER, dt.date(2026, 10, 31))
    assert debt(account) == D("1200.00")


def test_reversal_dated_in_a_published_month_goes_to_the_open_period():
    account = indebted_account()
    before = october(account)
    entry, _ = ledger.ledger_reverse_payment(
        account=account, amount=D("250.00"), source="bank", external_id="X1", on=dt.date(2026, 10, 20)
    )
    assert (entry.period.month, entry.occurred_on, entry.amount) == (NOVEMBER, dt.date(2026, 10, 20), D("-250.00"))
    assert october(account) == before


def test_rebuilding_a_published_periods_balances_is_refused_in_russian():
    account = indebted_account()
    period = AccountBalance.objects.get(account=account, period__month=OCTOBER).period
    with pytest.raises(ledger.BillingError, match="опубликован, квитанции выпущены: его начисления, сальдо"):
        ledger.balances_rebuild(period)
    with pytest.raises(ledger.BillingError, match="Период .* опубликован"):
        ledger.ledger_post_period(period)
    ledger.account_balances_refresh(account, OCTOBER)  # an old `since` leaves the published month alone
    assert october(account) == (0, D("1500.00"), 0, D("1500.00"))
