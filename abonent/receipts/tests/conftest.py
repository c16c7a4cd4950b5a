import datetime as dt
from decimal import Decimal as D

import pytest

from abonent.billing import cycle
from abonent.billing.models import Service
from abonent.testing import factories as f


@pytest.fixture
def published(django_capture_on_commit_callbacks):
    """An account with two services and a published October 2026; November calculated but not published. The
    work after each commit (the issued documents, the mailings) runs as it does outside a test's transaction."""
    org = f.OrganisationFactory()
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    second = f.PersonalAccountFactory(premises=f.PremisesFactory(building=account.premises.building))
    fixed = f.ServiceFactory(organisation=org, name="Обращение с ТКО", method=Service.Method.FIXED, resource="")
    f.TariffFactory(service=fixed, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D("123.45"))
    area = f.ServiceFactory(
        organisation=org,
        name="Содержание жилого помещения",
        method=Service.Method.AREA,
        resource="",
        unit=Service.Unit.M2,
    )
    f.TariffFactory(service=area, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D("21.5"))
    with django_capture_on_commit_callbacks(execute=True):
        cycle.period_close(organisation=org, month=dt.date(2026, 9, 1))
        october = cycle.period_close(organisation=org, month=dt.date(2026, 10, 1))
    cycle.period_close(organisation=org, month=dt.date(2026, 11, 1), step="close_readings")
    november = cycle.period_close(organisation=org, month=dt.date(2026, 11, 1), step="calculate")
    return {"org": org, "account": account, "second": second, "october": october, "november": november}
