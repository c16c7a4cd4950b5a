"""The ledger identity over random histories: whatever order charges, payments and recalculations arrive in,
closing = opening + charged + recalculated + penalties − paid, each period opens with the previous closing, and
every published figure is the sum of its ledger entries."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abonent.billing import cycle, recalculations
from abonent.billing.ledger import ledger_post_payment
from abonent.billing.models import AccountBalance, BillingPeriod, LedgerEntry, Service
from abonent.orgs.dates import add_months
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
JANUARY = dt.date(2026, 1, 1)

money = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)
payment = st.tuples(
    st.integers(0, 3), st.integers(1, 28), money, st.sampled_from(["before", "calculated", "published"])
)
recalc = st.tuples(st.integers(1, 3), st.decimals(min_value=D("-500"), max_value=D("500"), places=2))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prices=st.lists(st.decimals(min_value=D("1"), max_value=D("3000"), places=2), min_size=4, max_size=4),
    payments=st.lists(st.tuples(st.integers(0, 1), payment), max_size=6),
    recalcs=st.lists(st.tuples(st.integers(0, 1), recalc), max_size=3),
)
def test_ledger_identity_over_random_histories(prices, payments, recalcs):
    org = f.OrganisationFactory()
    building = f.BuildingFactory(organisation=org)
    accounts = [f.PersonalAccountFactory(premises=f.PremisesFactory(building=building)) for _ in range(2)]
    svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="", code="fixed")
    for i, price in enumerate(prices):
        month = add_months(JANUARY, i)
        f.TariffFactory(
            service=svc, valid_from=month, valid_to=add_months(month, 1) - dt.timedelta(days=1), price=price
        )

    def pay(stage, month_index):
        _pay(org, accounts, payments, stage, month_index)

    periods, published = [], {}
    for i in range(4):
        month = add_months(JANUARY, i)
        for who, (target, amount) in recalcs:
            if target == i and periods:
                booked, _ = BillingPeriod.objects.get_or_create(organisation=org, month=month)
                recalculations.recalculation_create(
                    account=accounts[who], corrected_period=periods[-1], amount=amount, reason="тест", period=booked
                )
        pay("before", i)
        cycle.period_close(organisation=org, month=month, step="close_readings")
        cycle.period_close(organisation=org, month=month, step="calculate")
        pay("calculated", i)
        periods.append(cycle.period_close(organisation=org, month=month, step="publish"))
        published.update(_balances(periods[-1]))
        pay("published", i)  # dated in the month just published: posted in the next one
    # a payment posted twice changes nothing
    for stage in ("before", "calculated", "published"):
        for i in range(4):
            pay(stage, i)

    _assert_identity(accounts, payments)
    # published means frozen: no balance of a published month changed after its publish
    assert {key: value for period in periods for key, value in _balances(period).items()} == published


def _balances(period):
    fields = ("account_id", "opening", "charged", "recalculated", "penalties", "paid", "closing")
    return {(period.pk, row[0]): row[1:] for row in AccountBalance.objects.filter(period=period).values_list(*fields)}


def _pay(org, accounts, payments, stage, month_index):
    for n, (who, (when, day, amount, at)) in enumerate(payments):
        if when == month_index and at == stage:
            ledger_post_payment(
                account=accounts[who],
                amount=amount,
                paid_on=add_months(JANUARY, when).replace(day=day),
                source="test",
                external_id=f"{org.pk}-{n}",
            )


def _assert_identity(accounts, payments):
    ledger = defaultdict(D)
    for entry in LedgerEntry.objects.filter(account__in=accounts):
        ledger[(entry.account_id, entry.period_id, entry.kind)] += entry.amount
    assert sum(1 for k in ledger if k[2] == "payment") <= len(payments)
    for account in accounts:
        rows = list(AccountBalance.objects.filter(account=account).order_by("period__month"))
        assert len(rows) == 4
        opening = D("0")
        for row in rows:
            assert row.opening == opening
            assert row.closing == row.opening + row.charged + row.recalculated + row.penalties - row.paid
            assert row.charged == ledger[(account.pk, row.period_id, "charge")]
            assert row.recalculated == ledger[(account.pk, row.period_id, "recalculation")]
            assert row.penalties == ledger[(account.pk, row.period_id, "penalty")]
            assert row.paid == ledger[(account.pk, row.period_id, "payment")]
            opening = row.closing
        # a payment dated in April after its publish waits in May, which has no balances yet
        balanced = {row.period_id for row in rows}
        waiting = [k for k in ledger if k[0] == account.pk and k[1] not in balanced]
        assert all(k[2] == "payment" and BillingPeriod.objects.get(pk=k[1]).month.month == 5 for k in waiting)
        total = sum(
            (v if k[2] != "payment" else -v) for k, v in ledger.items() if k[0] == account.pk and k[1] in balanced
        )
        assert rows[-1].closing == total
