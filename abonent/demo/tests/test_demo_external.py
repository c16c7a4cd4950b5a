"""The demo organisation in external-billing mode: its last month is the bundled sample file's, to the kopeck."""

import csv
import io
from collections import defaultdict
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from abonent.billing import cycle, statements
from abonent.billing.errors import BillingError
from abonent.billing.models import BillingPeriod
from abonent.demo.external import EXTERNAL, SAMPLE, create_external_billing
from abonent.demo.register import DemoContext
from abonent.exchange.models import ExchangeFile

pytestmark = pytest.mark.django_db


def test_external_organisation_shows_the_sample_files_figures():
    ctx = DemoContext(write=lambda line: None)
    create_external_billing(ctx)
    expected = defaultdict(D)
    for row in csv.DictReader(io.StringIO(SAMPLE.read_bytes().decode("cp1251")), delimiter=";"):
        expected[row["ЛС"]] += D(row["К оплате"])
    accounts = ctx.accounts[EXTERNAL]
    assert {a.number: statements.debt_of(a) for a in accounts} == dict(expected)
    period = BillingPeriod.objects.get(organisation=ctx.orgs[EXTERNAL])
    assert period.state == BillingPeriod.State.PUBLISHED
    assert ExchangeFile.objects.get(kind="month").channel == "demo"
    with pytest.raises(BillingError, match="внешнем биллинге"):
        cycle.period_close(organisation=ctx.orgs[EXTERNAL], month=period.month, step="calculate")


def test_command_makes_it_once(capsys):
    call_command("seed_external_demo", "--if-empty")
    call_command("seed_external_demo", "--if-empty")
    assert BillingPeriod.objects.filter(organisation__code=EXTERNAL).count() == 1
    assert "уже есть" in capsys.readouterr().out
