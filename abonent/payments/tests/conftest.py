import datetime as dt
from decimal import Decimal

import pytest

from abonent.billing import cycle
from abonent.billing.models import Service
from abonent.payments import selectors
from abonent.testing import factories as f

from .yookassa_replay import yookassa  # noqa: F401  (the replayed YooKassa API, a fixture of every test here)

MONTH = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _sandbox_inline(request, settings):
    # Without a server the sandbox hands its signed notification straight to the handler after commit; the
    # browser tests keep the real HTTP delivery to the live server.
    if "e2e" not in request.keywords:
        settings.PAYMENTS_SANDBOX_DELIVERY = "inline"


def indebted_account(price=Decimal("1500.00"), org=None):
    """An account with a published October charge: its closing balance is the debt."""
    org = org or f.OrganisationFactory()
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    svc = Service.objects.filter(organisation=org, code="fixed").first()
    if svc is None:
        svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="", code="fixed")
        f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=price)
    cycle.period_close(organisation=org, month=MONTH)
    return account


def debt(account) -> Decimal:
    return selectors.debts([account.pk])[account.pk]
