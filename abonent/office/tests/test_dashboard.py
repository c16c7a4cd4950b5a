"""The month at a glance on the demo: its figures against billing's own per-account answers and the ledger."""

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from abonent.billing.models import LedgerEntry
from abonent.billing.statements import debts
from abonent.housing.models import PersonalAccount
from abonent.lib.numbers import money as money_text
from abonent.metering.models import Reading
from abonent.office import dashboard, money
from abonent.office.models import Role
from abonent.support.models import Appeal
from abonent.testing import factories as f

from .conftest import make_operator


def test_total_debt_is_the_subscribers_debts_added_up(demo):
    for organisation in demo:
        ids = PersonalAccount.objects.filter(organisation=organisation).values_list("pk", flat=True)
        per_account = debts(ids)
        total, count = money.total_debt(organisation)
        assert total == sum((d for d in per_account.values() if d > 0), Decimal("0"))
        assert count == sum(1 for d in per_account.values() if d > 0)


def test_collection_rate_is_paid_over_charged_from_the_ledger(demo):
    organisation = demo[0]
    last = money.last_published(organisation)
    year = money.months_money(organisation, last.month)
    assert len(year) >= 2
    for month in year:
        entries = LedgerEntry.objects.filter(period__organisation=organisation, period__month=month.month)
        charged = entries.filter(kind__in=("charge", "recalculation")).aggregate(s=Sum("amount"))["s"]
        paid = entries.filter(kind="payment").aggregate(s=Sum("amount"))["s"] or Decimal("0")
        assert month.charged == charged
        assert month.paid == paid
        assert month.rate == (paid * 100 / charged).quantize(Decimal("0.1"))


def test_the_page_shows_period_readings_money_debt_appeals_and_an_svg_chart(client, demo):
    organisation = demo[0]
    client.force_login(make_operator(organisation, Role.ACCOUNTANT))
    response = client.get("/office/")
    assert response.status_code == 200
    page = response.content.decode()
    glance = dashboard.dashboard(organisation)
    assert f"Следующий шаг: <strong>{glance['period'].next_label}</strong>" in page
    assert glance["period"].next_from.strftime("%d.%m.%Y") in page
    assert money_text(glance["debt"]) in page
    assert "<svg" in page and page.count('class="paid"') == len(glance["year"])
    assert f"{glance['readings'].received} из {glance['readings'].meters}" in page


def test_readings_so_far_count_meters_by_channel_against_last_month(demo):
    organisation = demo[0]
    month = dashboard.period_state(organisation, organisation.today()).month
    seen = dashboard.readings_so_far(organisation, month)
    assert seen.meters == dashboard.meters_of(organisation).count()
    assert seen.received == sum(now for _, now, _ in seen.by_channel)
    assert seen.last_month_received > 0  # the demo's history has last month's readings
    sent = (
        Reading.objects.filter(meter__in=dashboard.meters_of(organisation), period=month, is_current=True)
        .exclude(channel="estimate")
        .exclude(status="rejected")
    )
    assert seen.received == sent.values("meter_id").distinct().count()


def test_an_appeal_waiting_longer_than_ten_days_is_overdue(demo):
    organisation = demo[0]
    before_open, before_overdue = dashboard.appeals_waiting(organisation)
    account = PersonalAccount.objects.filter(organisation=organisation).first()
    author = f.UserFactory()
    new = {"organisation": organisation, "account": account, "author": author, "topic": "other", "contact": "x"}
    old = Appeal.objects.create(text="Давно", **new)
    Appeal.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=11))
    Appeal.objects.create(text="Сегодня", **new)
    assert dashboard.appeals_waiting(organisation) == (before_open + 2, before_overdue + 1)


def test_paid_in_a_period_is_the_payments_the_ledger_posted_to_it(demo):
    from abonent.billing.models import BillingPeriod  # noqa: PLC0415

    for period in BillingPeriod.objects.filter(organisation=demo[0]):
        posted = LedgerEntry.objects.filter(period=period, kind="payment").aggregate(s=Sum("amount"))["s"]
        assert money.paid_in(period) == (posted or Decimal("0.00")), period
