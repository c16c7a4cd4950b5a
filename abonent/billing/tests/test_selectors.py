"""Subscribers see published periods only, in a bounded number of queries."""

import datetime as dt
from decimal import Decimal as D

import pytest

from abonent.billing import cycle, selectors
from abonent.billing.models import Service
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


def test_only_published_figures_are_shown(django_assert_num_queries):
    org = f.OrganisationFactory()
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="")
    f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D("100"))
    april = cycle.period_close(organisation=org, month=dt.date(2026, 4, 1))
    cycle.period_close(organisation=org, month=dt.date(2026, 5, 1), step="close_readings")
    may = cycle.period_close(organisation=org, month=dt.date(2026, 5, 1), step="calculate")
    assert selectors.last_published_period(account=account) == april
    with django_assert_num_queries(1):
        assert [b.period for b in selectors.account_periods(account=account)] == [april]
    with django_assert_num_queries(1):
        assert [c.amount for c in selectors.account_charges(account=account, period=april)] == [D("100.00")]
    assert not selectors.account_charges(account=account, period=may).exists()
    assert selectors.account_penalty(account=account, period=april) is None
    assert not selectors.account_recalculations(account=account, period=april).exists()
