import datetime as dt
from decimal import Decimal

import pytest

from abonent.metering.errors import ReadingError
from abonent.metering.models import Reading
from abonent.metering.submit import reading_submit
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
NOV = dt.date(2026, 11, 1)
OCT = dt.date(2026, 10, 1)
IN_WINDOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def submit(meter, text, user=None, **kwargs):
    kwargs.setdefault("channel", Reading.Channel.PORTAL)
    kwargs.setdefault("when", IN_WINDOW)
    return reading_submit(meter=meter, value_text=text, user=user, **kwargs)


def refused(meter, text, code, **kwargs):
    before = Reading.objects.count()
    with pytest.raises(ReadingError) as info:
        submit(meter, text, **kwargs)
    assert info.value.code == code, info.value.text
    assert Reading.objects.count() == before, "a refused reading must save nothing"
    return info.value.text


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
