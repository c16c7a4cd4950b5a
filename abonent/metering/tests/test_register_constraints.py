"""The database itself refuses a meter with impossible dates, digits or place (SQLite and PostgreSQL alike)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from abonent.metering.models import Meter
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.mark.parametrize("verification_due", [dt.date(2022, 2, 28), dt.date(2022, 3, 1)])
def test_database_refuses_verification_not_after_installation(verification_due):
    # given a premises; when a meter installed on 01.03.2022 is verified until that day or earlier
    premises = f.PremisesFactory()
    refused(lambda: f.MeterFactory(premises=premises, verification_due=verification_due))
    # then there is no such meter
    assert not Meter.objects.exists()


@pytest.mark.parametrize(
    "digits", [{"digits_before": 0}, {"digits_before": 10}, {"digits_after": 7}, {"digits_before": 12}]
)
def test_database_refuses_meter_digits_out_of_range(digits):
    meter = f.MeterFactory()
    refused(lambda: Meter.objects.filter(pk=meter.pk).update(**digits))
    meter.refresh_from_db()
    assert (meter.digits_before, meter.digits_after) == (5, 3)


def test_database_refuses_a_meter_both_in_a_premises_and_on_the_house_or_nowhere():
    premises = f.PremisesFactory()
    refused(lambda: f.MeterFactory(premises=premises, building=premises.building))
    refused(lambda: f.MeterFactory(premises=None, building=None))
    assert not Meter.objects.exists()


def test_database_refuses_sealing_before_installation_and_a_negative_initial_value():
    meter = f.MeterFactory()
    refused(lambda: Meter.objects.filter(pk=meter.pk).update(sealed_on=dt.date(2022, 2, 1)))
    refused(lambda: Meter.objects.filter(pk=meter.pk).update(initial_value=Decimal("-1")))
