"""The texts billing writes for a person to read (a penalty's basis, a recalculation's reason) carry their figures
in the one Russian number format: "538,33 ₽", "6,400 м³", never "538.33" or "6.400000"."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from abonent.billing import cycle
from abonent.billing.models import Penalty, Service
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
JUNE, JULY, AUGUST, SEPTEMBER = (dt.date(2026, m, 1) for m in (6, 7, 8, 9))


def test_penalty_basis_names_the_earlier_penalties_in_roubles():
    # 100 000 ₽ for June 2026, due 15.07.2026 (a Wednesday), never paid.
    org = f.OrganisationFactory(payment_due_day=15)
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    once = f.ServiceFactory(organisation=org, code="once", name="once", method=Service.Method.FIXED, resource="")
    f.TariffFactory(service=once, valid_from=JUNE, valid_to=dt.date(2026, 6, 30), price=D("100000"))
    with time_machine.travel(dt.datetime(2026, 10, 10, 12, tzinfo=dt.UTC).timestamp(), tick=False):
        for month in (JUNE, JULY, AUGUST, SEPTEMBER):
            cycle.period_close(organisation=org, month=month)
    # By 31.08.2026: 47 days overdue, days 31–47 = 17 × 100 000 × 9,5 % / 300 = 538,333 → 538,33.
    assert Penalty.objects.get(account=account, period__month=AUGUST).amount == D("538.33")
    september = Penalty.objects.get(account=account, period__month=SEPTEMBER)
    assert "Начислено ранее: 538,33\u00a0₽" in september.basis
    assert "100\u00a0000,00\u00a0₽" in september.basis
