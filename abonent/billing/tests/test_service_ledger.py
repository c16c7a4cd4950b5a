"""The ledger by service over random histories: whatever order charges, payments (some naming a service),
recalculations (some without a service) and penalties arrive in, each service's row holds closing = opening +
charged + recalculated + penalties − paid and opens with that service's previous closing; the account's balance is
the sum of its rows, field by field; each payment's allocation sums to the payment. On PostgreSQL the rows the
close's one INSERT … SELECT wrote are the rows service_ledger.rows computes in Python."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abonent.billing import cycle, recalculations, service_ledger
from abonent.billing.ledger import ledger_post_payment
from abonent.billing.models import AccountBalance, Allocation, BillingPeriod, LedgerEntry, Service, ServiceBalance
from abonent.orgs.dates import add_months
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
JANUARY = dt.date(2026, 1, 1)
FIELDS = ("opening", "charged", "recalculated", "penalties", "paid", "closing")

money = st.decimals(min_value=D("0.01"), max_value=D("4000"), places=2)
# (account, month, day, amount, when posted, named service index or None)
payment = st.tuples(
    st.integers(0, 1),
    st.integers(0, 3),
    st.integers(1, 28),
    money,
    st.sampled_from(["before", "calculated"]),
    st.one_of(st.none(), st.integers(0, 2)),
)
recalc = st.tuples(
    st.integers(0, 1),
    st.integers(1, 3),
    st.decimals(min_value=D("-500"), max_value=D("500"), places=2),
    st.one_of(st.none(), st.integers(0, 2)),
)


def _register(prices):
    org = f.OrganisationFactory()
    building = f.BuildingFactory(organisation=org)
    accounts = [f.PersonalAccountFactory(premises=f.PremisesFactory(building=building)) for _ in range(2)]
    services = []
    for i, price in enumerate(prices):
        svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="", code=f"s{i}", sort_order=i)
        f.TariffFactory(service=svc, valid_from=JANUARY, valid_to=None, price=price)
        services.append(svc)
    return org, accounts, services


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prices=st.lists(st.decimals(min_value=D("1"), max_value=D("3000"), places=2), min_size=3, max_size=3),
    payments=st.lists(payment, max_size=7),
    recalcs=st.lists(recalc, max_size=3),
)
def test_ledger_by_service_over_random_histories(prices, payments, recalcs):
    org, accounts, services = _register(prices)
    periods = []
    for i in range(4):
        month = add_months(JANUARY, i)
        for who, target, amount, svc in recalcs:
            if target == i and periods:
                booked, _ = BillingPeriod.objects.get_or_create(organisation=org, month=month)
                recalculations.recalculation_create(
                    account=accounts[who],
                    corrected_period=periods[-1],
                    amount=amount,
                    reason="тест",
                    period=booked,
                    service=None if svc is None else services[svc],
                )
        _pay(org, accounts, services, payments, "before", i)
        cycle.period_close(organisation=org, month=month, step="close_readings")
        period = cycle.period_close(organisation=org, month=month, step="calculate")
        _assert_sql_is_python(period, periods[-1] if periods else None)
        _pay(org, accounts, services, payments, "calculated", i)
        periods.append(cycle.period_close(organisation=org, month=month, step="publish"))
    _assert_identity(accounts, periods)
    for entry in LedgerEntry.objects.filter(account__in=accounts, kind="payment"):
        assert entry.allocations.aggregate(total=Sum("amount"))["total"] == entry.amount
        if entry.service_id:
            assert list(entry.allocations.values_list("service_id", flat=True)) == [entry.service_id]


def _pay(org, accounts, services, payments, stage, month_index):
    for n, (who, when, day, amount, at, svc) in enumerate(payments):
        if when == month_index and at == stage:
            ledger_post_payment(
                account=accounts[who],
                amount=amount,
                paid_on=add_months(JANUARY, when).replace(day=day),
                source="test",
                external_id=f"{org.pk}-{n}",
                service_id=None if svc is None else services[svc].pk,
            )


def _assert_sql_is_python(period, previous):
    written = sorted(
        ServiceBalance.objects.filter(period=period).values_list(*service_ledger.COLUMNS),
        key=lambda r: (r[0], r[2] or 0),
    )
    assert written == sorted(service_ledger.rows(period, previous), key=lambda r: (r[0], r[2] or 0)), connection.vendor


def _assert_identity(accounts, periods):
    for account in accounts:
        closing = defaultdict(D)
        for period in periods:
            rows = list(ServiceBalance.objects.filter(account=account, period=period))
            balance = AccountBalance.objects.get(account=account, period=period)
            for name in FIELDS:
                assert sum((getattr(r, name) for r in rows), D(0)) == getattr(balance, name), name
            paid = Allocation.objects.filter(account=account, period=period).values("service_id")
            paid = dict(paid.annotate(t=Sum("amount")).values_list("service_id", "t"))
            for row in rows:
                assert row.opening == closing.get(row.service_id, D(0))
                assert row.closing == row.opening + row.charged + row.recalculated + row.penalties - row.paid
                assert row.paid == paid.get(row.service_id, D(0))
            # a service with a closing of its own last month has a row this month
            assert {s for s, v in closing.items() if v} <= {r.service_id for r in rows}
            closing = defaultdict(D, {r.service_id: r.closing for r in rows})
