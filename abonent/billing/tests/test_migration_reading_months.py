"""Migration 0007: the months whose periods had left "open" become metering's closed months, nothing else."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("billing", "0006_services_off"), ("metering", "0005_reading_month")]
AFTER = [("billing", "0009_reading_months_from_periods")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_closed_periods_become_closed_reading_months():
    apps = migrate(BEFORE)
    Organisation = apps.get_model("orgs", "Organisation")
    BillingPeriod = apps.get_model("billing", "BillingPeriod")
    org = Organisation.objects.create(name="УК", inn="7701234567", timezone="Europe/Moscow")
    closed_at = dt.datetime(2026, 4, 26, 9, tzinfo=dt.UTC)
    for month, state, readings_closed_at in [
        (dt.date(2026, 3, 1), "published", None),
        (dt.date(2026, 4, 1), "readings_closed", closed_at),
        (dt.date(2026, 5, 1), "open", None),
    ]:
        BillingPeriod.objects.create(organisation=org, month=month, state=state, readings_closed_at=readings_closed_at)
    try:
        apps = migrate(AFTER)
        months = apps.get_model("metering", "ReadingMonth").objects.filter(organisation_id=org.pk)
        assert sorted(months.values_list("month", flat=True)) == [dt.date(2026, 3, 1), dt.date(2026, 4, 1)]
        assert months.get(month=dt.date(2026, 4, 1)).closed_at == closed_at
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
