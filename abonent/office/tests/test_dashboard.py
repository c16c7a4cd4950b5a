"""The month at a glance on the demo: its figures against billing's own per-account answers and the ledger."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from abonent.billing.models import LedgerEntry
from abonent.billing.statements import debts
from abonent.housing.models import PersonalAccount, Premises
from abonent.lib.numbers import money as money_text
from abonent.metering.lookups import meters_of_organisation_q
from abonent.metering.models import Reading
from abonent.metering.submit import Submission, readings_submit
from abonent.office import dashboard, money
from abonent.office.models import Role
from abonent.orgs.dates import add_months
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


def _recounted(organisation, month):
    """The month at a glance's readings counted live: meters of the organisation, readings that count."""
    sent = Reading.objects.filter(meters_of_organisation_q(organisation.pk, "meter__"), period=month, is_current=True)
    sent = sent.exclude(channel="estimate").exclude(status="rejected")
    by_channel = dict(sent.values_list("channel").annotate(n=Count("id")).order_by())
    return dashboard.meters_of(organisation).count(), by_channel


def test_readings_so_far_equal_a_live_recount_after_new_readings_and_meters(demo):
    organisation = demo[0]
    month = dashboard.period_state(organisation, organisation.today()).month
    seen = dashboard.readings_so_far(organisation, month)
    meters, by_channel = _recounted(organisation, month)
    assert (seen.meters, seen.received) == (meters, sum(by_channel.values()))
    assert [now for _, now, _ in seen.by_channel] == [by_channel.get(c.value, 0) for c in dashboard.CHANNELS]
    assert seen.last_month_received == sum(_recounted(organisation, add_months(month, -1))[1].values()) > 0
    # New data: a meter installed, one closed, an operator's readings for two silent meters.
    premises = Premises.objects.filter(building__organisation=organisation).first()
    f.MeterFactory(premises=premises, resource="heat", serial_number="TALLY-1")
    shut = dashboard.meters_of(organisation).exclude(pk__in=Reading.objects.filter(period=month).values("meter_id"))
    shut = shut.first()
    shut.save()  # a save that changes nothing counts nothing twice
    shut.status, shut.closed_on = "closed", organisation.today()
    shut.save()
    silent = list(
        dashboard.meters_of(organisation).exclude(pk__in=Reading.objects.filter(period=month).values("meter_id"))
    )
    operator = make_operator(organisation, Role.DISPATCHER)
    made = readings_submit(organisation=organisation, user=operator, channel="operator",
                           submissions=[Submission(m.pk, "90000", False, True) for m in silent[:2]])  # fmt: skip
    assert {r.period for r in made} == {month}
    after = dashboard.readings_so_far(organisation, month)
    meters, by_channel = _recounted(organisation, month)
    assert (after.meters, after.received) == (meters, sum(by_channel.values())) == (seen.meters, seen.received + 2)
    assert [now for _, now, _ in after.by_channel] == [by_channel.get(c.value, 0) for c in dashboard.CHANNELS]


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
