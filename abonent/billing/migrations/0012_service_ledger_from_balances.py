"""Today's ledger moves to the ledger by service: every payment entry is allocated (allocation.py, in the order
paid) and every period with account balances gets its rows by service, period after period (each opens with the
previous closing). Then the two ledgers are compared period by period; any difference refuses the migration, and
with it nothing is written (one transaction).

It runs the application's own code (billing.allocation, billing.service_ledger) rather than a copy: the rule is one
and the figures must be the ones the close writes. That code reads the tables as they are after 0011.
"""

from django.db import migrations


def forward(apps, schema_editor):
    from abonent.billing import allocation, service_ledger
    from abonent.billing.errors import BillingError
    from abonent.billing.models import AccountBalance, BillingPeriod

    with_balances = set(AccountBalance.objects.values_list("period_id", flat=True).distinct())
    for org_id in BillingPeriod.objects.values_list("organisation_id", flat=True).distinct().order_by():
        previous = None
        for period in BillingPeriod.objects.filter(organisation_id=org_id).order_by("month"):
            if period.pk in with_balances:
                allocation.allocate_pending(period)
                service_ledger.service_balances_write(period, previous)
                try:
                    service_ledger.check(period)
                except BillingError as exc:
                    raise RuntimeError(f"Перенос в журнал по услугам остановлен: {exc}") from exc
            previous = period


def backward(apps, schema_editor):
    apps.get_model("billing", "ServiceBalance").objects.all().delete()
    apps.get_model("billing", "Allocation").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0011_service_ledger")]

    operations = [migrations.RunPython(forward, backward)]
