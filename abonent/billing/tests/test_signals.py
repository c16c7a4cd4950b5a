"""period_published: sent once the publishing transaction commits, once per period, never on a rerun."""

import datetime as dt
from decimal import Decimal

import pytest

from abonent.billing import cycle
from abonent.billing.models import Service
from abonent.billing.signals import period_published
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 10, 1)


def test_sent_on_commit_once(django_capture_on_commit_callbacks):
    org = f.OrganisationFactory()
    f.PersonalAccountFactory(organisation=org, premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="", code="fixed")
    f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=Decimal("100"))
    seen = []

    def receiver(sender, *, period, **kwargs):
        seen.append(period.pk)

    period_published.connect(receiver, dispatch_uid="test_sent_on_commit_once")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            period = cycle.period_close(organisation=org, month=MONTH)
            assert seen == []  # not before the commit
        assert seen == [period.pk]
        with django_capture_on_commit_callbacks(execute=True):
            cycle.period_close(organisation=org, month=MONTH, step="publish")
        assert seen == [period.pk]
    finally:
        period_published.disconnect(dispatch_uid="test_sent_on_commit_once")
