"""Migration 0012: today's balances and payments move to the ledger by service with the same totals, and a
difference refuses the migration. The history is built by the close itself; its rows by service are then removed
(as before the migration) and the migration's step is run on it."""

import datetime as dt
import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps

from abonent.billing import cycle
from abonent.billing.ledger import ledger_post_payment
from abonent.billing.models import AccountBalance, Allocation, Service, ServiceBalance
from abonent.testing import factories as f

migration = importlib.import_module("abonent.billing.migrations.0012_service_ledger_from_balances")
pytestmark = pytest.mark.django_db
COLUMNS = (
    "account_id",
    "period_id",
    "service_id",
    "opening",
    "charged",
    "recalculated",
    "penalties",
    "paid",
    "closing",
)


def _history():
    org = f.OrganisationFactory(timezone="Europe/Moscow")
    building = f.BuildingFactory(organisation=org)
    accounts = [f.PersonalAccountFactory(premises=f.PremisesFactory(building=building)) for _ in range(3)]
    for code, price in (("water", "612.40"), ("heat", "1 388.15".replace(" ", ""))):
        svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="", code=code)
        f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D(price))
    for i, month in enumerate((dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1))):
        cycle.period_close(organisation=org, month=month)
        ledger_post_payment(
            account=accounts[i % 3],
            amount=D("777.77"),
            paid_on=month.replace(month=month.month + 1, day=3),
            source="test",
            external_id=str(i),
        )
    cycle.period_close(organisation=org, month=dt.date(2026, 6, 1))
    return org


def test_existing_history_moves_with_the_same_totals():
    _history()
    written = sorted(ServiceBalance.objects.values_list(*COLUMNS), key=str)
    allocated = sorted(Allocation.objects.values_list("entry_id", "service_id", "amount"), key=str)
    ServiceBalance.objects.all().delete()
    Allocation.objects.all().delete()
    migration.forward(apps, None)
    assert sorted(ServiceBalance.objects.values_list(*COLUMNS), key=str) == written
    assert sorted(Allocation.objects.values_list("entry_id", "service_id", "amount"), key=str) == allocated
    assert ServiceBalance.objects.count() > 0 and Allocation.objects.count() == 6  # 3 payments × 2 services


def test_a_difference_refuses_the_migration():
    _history()
    ServiceBalance.objects.all().delete()
    Allocation.objects.all().delete()
    # an account balance that is not the sum of what it was made of (paid and closing moved together)
    row = AccountBalance.objects.filter(paid__gt=0).order_by("period__month").first()
    AccountBalance.objects.filter(pk=row.pk).update(paid=row.paid + 1, closing=row.closing - 1)
    with pytest.raises(RuntimeError, match="Перенос в журнал по услугам остановлен: Сальдо по услугам не сходится"):
        migration.forward(apps, None)
