"""The database itself refuses tariffs and norms of one service whose dates overlap (PostgreSQL: an exclusion
constraint; SQLite: triggers), negative prices and reversed dates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from abonent.billing.models import Norm, Tariff
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.fixture
def tariff():
    # given a tariff for 01.01.2026–30.06.2026
    return f.TariffFactory()


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (dt.date(2026, 6, 30), None),  # starts on the last day of the first
        (dt.date(2025, 12, 1), dt.date(2026, 1, 1)),  # ends on its first day
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),  # inside it
        (dt.date(2025, 1, 1), None),  # open-ended around it
    ],
)
def test_database_refuses_an_overlapping_tariff(tariff, valid_from, valid_to):
    refused(lambda: Tariff.objects.create(service=tariff.service, valid_from=valid_from, valid_to=valid_to, price=1))
    assert Tariff.objects.count() == 1


def test_database_refuses_an_update_that_makes_tariffs_overlap(tariff):
    later = f.TariffFactory(service=tariff.service, valid_from=dt.date(2026, 7, 1), valid_to=None)
    refused(lambda: Tariff.objects.filter(pk=later.pk).update(valid_from=dt.date(2026, 6, 1)))
    later.refresh_from_db()
    assert later.valid_from == dt.date(2026, 7, 1)


def test_adjacent_tariffs_and_other_services_tariffs_are_fine(tariff):
    f.TariffFactory(service=tariff.service, valid_from=dt.date(2026, 7, 1), valid_to=None)
    f.TariffFactory(valid_from=tariff.valid_from, valid_to=tariff.valid_to)  # another service, same dates
    assert Tariff.objects.count() == 3


def test_database_refuses_an_overlapping_norm():
    norm = f.NormFactory(valid_to=None)
    refused(lambda: Norm.objects.create(service=norm.service, valid_from=dt.date(2030, 1, 1), value=1))
    assert Norm.objects.count() == 1


def test_database_refuses_a_negative_tariff_and_reversed_dates(tariff):
    refused(lambda: Tariff.objects.filter(pk=tariff.pk).update(price=Decimal("-0.01")))
    refused(lambda: Tariff.objects.filter(pk=tariff.pk).update(valid_to=dt.date(2025, 12, 31)))
    tariff.refresh_from_db()
    assert (tariff.price, tariff.valid_to) == (Decimal("45.2700"), dt.date(2026, 6, 30))
