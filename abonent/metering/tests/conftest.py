import datetime as dt
from decimal import Decimal

import pytest

from abonent.metering.models import Reading
from abonent.testing.factories import (
    AccountLinkFactory,
    BuildingFactory,
    MeterFactory,
    OrganisationFactory,
    PersonalAccountFactory,
    PremisesFactory,
    UserFactory,
)

UTC = dt.UTC


@pytest.fixture
def org(db):
    # Ulyanovsk is UTC+4: the window's edges are not the server's midnight.
    return OrganisationFactory(timezone="Europe/Ulyanovsk", readings_first_day=7, readings_last_day=25)


@pytest.fixture
def premises(org):
    return PremisesFactory(building=BuildingFactory(organisation=org))


@pytest.fixture
def account(premises):
    return PersonalAccountFactory(premises=premises)


@pytest.fixture
def user(account):
    link = AccountLinkFactory(account=account, user=UserFactory())
    return link.user


@pytest.fixture
def meter(premises):
    return MeterFactory(premises=premises, digits_before=5, digits_after=3, verification_due=dt.date(2030, 1, 1))


def add_reading(meter, period, value, *, channel=Reading.Channel.PORTAL, status=Reading.Status.ACCEPTED, **extra):
    return Reading.objects.create(
        meter=meter,
        period=period,
        value=Decimal(value),
        submitted_at=dt.datetime.combine(period.replace(day=20), dt.time(9), tzinfo=UTC),
        channel=channel,
        status=status,
        **extra,
    )
