"""The demo's year of history is the engine's own: twelve published months, balances that chain and add up."""

from io import StringIO

import pytest
from django.core.management import call_command

from abonent.billing.models import AccountBalance, BillingPeriod, Charge, LedgerEntry
from abonent.orgs.dates import add_months, month_start
from abonent.orgs.models import Organisation

pytestmark = pytest.mark.django_db


def test_seed_history_builds_a_year_of_consistent_history():
    call_command("seed_demo", verbosity=0, stdout=StringIO())  # the history is its last step
    out = StringIO()
    call_command("seed_history", stdout=out)  # once is enough
    assert "уже построена" in out.getvalue()
    for org in Organisation.objects.filter(code__in=["vodokanal", "uk"]):
        current = month_start(org.today())
        published = BillingPeriod.objects.filter(organisation=org, state="published").order_by("month")
        assert [p.month for p in published] == [add_months(current, -n) for n in range(12, 0, -1)]
        assert LedgerEntry.objects.filter(account__organisation=org, kind="payment").exists()
        assert Charge.objects.filter(period__organisation=org, basis="average").exists()
        previous = {}
        for balance in AccountBalance.objects.filter(period__organisation=org).order_by("period__month"):
            assert balance.opening == previous.get(balance.account_id, 0)
            assert balance.closing == (
                balance.opening + balance.charged + balance.recalculated + balance.penalties - balance.paid
            )
            previous[balance.account_id] = balance.closing
