"""The counters of readings received (metering.tally) follow every write — submissions, a replacement by another
channel, an operator's refusal, a file import — and always equal the readings counted afresh."""

import datetime as dt

import pytest
from django.core.management import call_command

from abonent.metering import tally
from abonent.metering.importing import ImportRow, readings_import
from abonent.metering.models import Meter, ReadingTally
from abonent.metering.submit import reading_reject
from abonent.testing.factories import (
    BuildingFactory,
    MeterFactory,
    OperatorFactory,
    OrganisationFactory,
    PremisesFactory,
)

from .conftest import NOV, OCT, add_reading, submit

pytestmark = pytest.mark.django_db


def _equal_to_a_recount(org, expected_nov: dict[str, int]):
    kept = {(t.period, t.channel): t.received for t in ReadingTally.objects.filter(organisation=org) if t.received}
    assert kept == tally.recounted(org)
    assert tally.tally_of(org, NOV) == expected_nov


def test_the_counters_follow_submissions_replacements_refusals_and_imports(org, account, meter, premises, user):
    second = MeterFactory(premises=premises, resource="hot_water")
    house = MeterFactory(premises=None, building=premises.building, resource="heat")
    for m in (meter, second, house):
        add_reading(m, OCT, "5")  # last month's, written around the application: the recount starts them
    assert tally.tally_recount(org) == 1
    _equal_to_a_recount(org, {})
    assert tally.tally_of(org, OCT) == {"portal": 3}
    operator = OperatorFactory(organisation=org)
    submit(meter, "10", user)
    refused = submit(second, "10", user)
    _equal_to_a_recount(org, {"portal": 2})
    submit(meter, "11", operator, channel="operator")  # replaces the subscriber's: one reading a meter counts
    _equal_to_a_recount(org, {"portal": 1, "operator": 1})
    reading_reject(reading=refused, reason="На фото другое показание", actor=operator)
    _equal_to_a_recount(org, {"operator": 1})
    reading_reject(reading=refused, reason="Ещё раз", actor=operator)  # refused twice: counted once less, not twice
    _equal_to_a_recount(org, {"operator": 1})
    submit(house, "6", operator, channel="operator")
    _equal_to_a_recount(org, {"operator": 2})
    rows = [
        ImportRow(line=2, account_number=account.number, serial_number=second.serial_number, value_text="12",
                  day=dt.date(2026, 11, 10)),
        ImportRow(line=3, account_number=account.number, serial_number=second.serial_number, value_text="13",
                  day=dt.date(2026, 11, 12)),  # the last line of a meter counts, the first does not
        ImportRow(line=4, account_number=account.number, serial_number=meter.serial_number, value_text="14",
                  day=dt.date(2026, 11, 14)),  # replaces the operator's
    ]  # fmt: skip
    assert readings_import(organisation=org, rows=rows, actor=operator).ok
    _equal_to_a_recount(org, {"operator": 1, "import": 2})
    ReadingTally.objects.filter(organisation=org).update(received=99)  # broken by hand: the command mends it
    call_command("readings_tally", "--org", org.code, verbosity=0)
    _equal_to_a_recount(org, {"operator": 1, "import": 2})


def test_the_meters_counter_follows_installing_closing_and_moving(org, premises):
    other = OrganisationFactory()
    assert tally.active_meters(org) == 0
    first = MeterFactory(premises=premises)
    MeterFactory(premises=None, building=premises.building, resource="heat")  # a house meter counts too
    MeterFactory(premises=PremisesFactory(building=BuildingFactory(organisation=other)))
    assert (tally.active_meters(org), tally.active_meters(other)) == (2, 1)
    first.save()  # saved unchanged: counted once still
    assert tally.active_meters(org) == 2
    first.status, first.closed_on = Meter.Status.CLOSED, dt.date(2026, 11, 30)
    first.save()
    assert tally.active_meters(org) == 1 == tally.meters_counted(org)
    first.status, first.closed_on = Meter.Status.ACTIVE, None
    first.save()
    premises.building.organisation = other  # the house handed to another organisation, with its meters
    premises.building.save()
    assert (tally.active_meters(org), tally.active_meters(other)) == (0, 3)
    assert (tally.meters_counted(org), tally.meters_counted(other)) == (0, 3)
