import datetime as dt

import pytest
from django.utils import timezone

from abonent.outages.models import Outage
from abonent.testing.factories import (
    AccountLinkFactory,
    BuildingFactory,
    OperatorFactory,
    OrganisationFactory,
    PersonalAccountFactory,
    PremisesFactory,
    UserFactory,
)

PASSWORD = "pass-2026-word"


@pytest.fixture
def org(db):
    return OrganisationFactory(code="vodokanal", short_name="Водоканал", timezone="Asia/Yekaterinburg")


@pytest.fixture
def house(org):
    return BuildingFactory(organisation=org, address="г. Ульяновск, ул. Гончарова, д. 5")


@pytest.fixture
def other_house(org):
    return BuildingFactory(organisation=org, address="г. Ульяновск, ул. Минаева, д. 12")


def _subscriber(username, building):
    user = UserFactory(username=username, email=f"{username}@example.ru")
    account = PersonalAccountFactory(organisation=building.organisation, premises=PremisesFactory(building=building))
    AccountLinkFactory(user=user, account=account)
    return user


@pytest.fixture
def subscriber(house):
    return _subscriber("ivanov", house)


@pytest.fixture
def neighbour(other_house):
    return _subscriber("petrov", other_house)


@pytest.fixture
def operator(org):
    return OperatorFactory(organisation=org)


@pytest.fixture
def other_operator(db):
    return OperatorFactory()


def make_outage(org, buildings, *, hours_from_now=24, hours=6, **extra) -> Outage:
    start = timezone.now() + dt.timedelta(hours=hours_from_now)
    outage = Outage.objects.create(
        organisation=org,
        kind=extra.pop("kind", Outage.Kind.PLANNED),
        resource=extra.pop("resource", Outage.Resource.COLD_WATER),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        description=extra.pop("description", "Замена задвижки на вводе."),
    )
    outage.buildings.set(buildings)
    return outage
