"""A month is not closed before it ends: the steps' days are the organisation's local ones, an early step needs a
written reason (kept on its run), and the schedule never forces one."""

import datetime as dt
from decimal import Decimal as D
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from abonent.billing import cycle
from abonent.billing.cycle_guard import EarlyStepError
from abonent.billing.errors import BillingError
from abonent.billing.models import BillingPeriod, Charge, PeriodRun, Service
from abonent.jobs.models import Job
from abonent.receipts.selectors import receipts_for
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db
DECEMBER = dt.date(2026, 12, 1)
UTC = dt.UTC
REASON = "Аудит просил пробный выпуск до конца месяца"


@pytest.fixture
def org():
    org = f.OrganisationFactory(timezone="Europe/Moscow", readings_first_day=23, readings_last_day=25)
    f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="")
    f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D("100"))
    return org


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=UTC), tick=False)


def period(org):
    return BillingPeriod.objects.get(organisation=org, month=DECEMBER)


def test_on_1_december_no_step_of_december_runs_without_a_reason(org):
    with at(2026, 12, 1, 9):  # 12:00 in Moscow, the readings window 23–25 still ahead
        for step in ("close_readings", None):
            with pytest.raises(EarlyStepError, match=r"Рано закрыть приём показаний за декабрь 2026.*26\.12\.2026"):
                cycle.period_close(organisation=org, month=DECEMBER, step=step)
        assert period(org).state == BillingPeriod.State.OPEN
        assert not PeriodRun.objects.exists()  # a refusal is not a run
        with pytest.raises(BillingError, match="не короче"):
            cycle.period_close(organisation=org, month=DECEMBER, force_reason="срочно")
        assert period(org).state == BillingPeriod.State.OPEN and not PeriodRun.objects.exists()


def test_forced_early_steps_keep_who_when_and_why(org):
    operator = f.UserFactory(is_staff=True)
    with at(2026, 12, 1, 9):
        closed = cycle.period_close(
            organisation=org, month=DECEMBER, step=None, actor=operator, force_reason=f"  {REASON}  "
        )
    assert closed.state == BillingPeriod.State.PUBLISHED
    runs = list(PeriodRun.objects.order_by("pk").values_list("step", "status", "started_by", "forced_reason"))
    assert runs == [(step, "done", operator.pk, REASON) for step in cycle.STEPS]
    assert PeriodRun.objects.first().started_at == dt.datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_each_step_is_due_on_its_local_day(org):
    kaliningrad = f.OrganisationFactory(timezone="Europe/Kaliningrad")  # UTC+2
    with at(2026, 12, 25, 21, 30):  # 26.12 00:30 in Moscow, still 25.12 23:30 in Kaliningrad
        assert cycle.period_close(organisation=org, month=DECEMBER, step="close_readings").state == "readings_closed"
        with pytest.raises(EarlyStepError, match="26.12.2026"):
            cycle.period_close(organisation=kaliningrad, month=DECEMBER, step="close_readings")
        with pytest.raises(EarlyStepError, match=r"Рано рассчитать период за декабрь 2026.*31\.12\.2026"):
            cycle.period_close(organisation=org, month=DECEMBER, step="calculate")
    with at(2026, 12, 30, 21, 1):  # 31.12 00:01 in Moscow: the month's last day
        cycle.period_close(organisation=org, month=DECEMBER, step="calculate")
        cycle.period_close(organisation=org, month=DECEMBER, step="publish")
    assert period(org).state == BillingPeriod.State.PUBLISHED
    assert not PeriodRun.objects.exclude(forced_reason="").exists()


def test_a_receipt_never_counts_payments_of_a_day_to_come(org):
    # "платежи, поступившие по 31.12.2026" on a receipt published on 1 December was a promise about the future
    with at(2026, 12, 1, 9):
        published = cycle.period_close(organisation=org, month=DECEMBER, force_reason=REASON)
        (receipt,) = receipts_for(period=published)
    assert receipt.paid_until == dt.date(2026, 12, 1)
    other = f.OrganisationFactory(timezone="Asia/Vladivostok")  # 31.12 already there at 14:00 UTC on the 30th
    f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=other)))
    with at(2026, 12, 30, 14):
        (receipt,) = receipts_for(period=cycle.period_close(organisation=other, month=DECEMBER))
    assert receipt.paid_until == dt.date(2026, 12, 31)


def test_the_schedule_waits_for_the_day_instead_of_forcing(org):
    org.readings_last_day = 31  # readings taken until the month's last day: they close the next morning
    org.save()
    with at(2026, 12, 31, 9):  # the last day: calculate is due, the readings are still being taken
        call_command("run_schedule", stdout=StringIO())
    # December may not run yet: no job is started for it (an hourly schedule would fill the list with empty ones)
    assert not BillingPeriod.objects.filter(organisation=org, month=DECEMBER).exclude(state="open").exists()
    assert not [job for job in Job.objects.all() if any(m == "2026-12-01" for m, _ in job.params["steps"])]
    with at(2027, 1, 1, 9):  # caught up the next day
        call_command("run_schedule", stdout=StringIO())
    assert period(org).state == BillingPeriod.State.CALCULATED
    assert Charge.objects.filter(period__month=DECEMBER).count() == 1
    assert not PeriodRun.objects.exclude(forced_reason="").exists()


def test_the_command_forces_only_with_a_reason(org):
    with at(2026, 12, 1, 9):
        with pytest.raises(CommandError, match="Досрочно — только с письменной причиной"):
            call_command("close_period", org=org.code, period="2026-12", step="close_readings", stdout=StringIO())
        call_command(
            "close_period", org=org.code, period="2026-12", step="close_readings", reason=REASON, stdout=StringIO()
        )
    assert PeriodRun.objects.get().forced_reason == REASON


def test_a_run_cut_off_shows_as_interrupted_on_sqlite(org):
    # SQLite has no lock to look at: a "running" record without a sign of life for long was cut off
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL looks at the step's lock instead (test_kill)")
    with at(2026, 11, 10, 9):
        november = BillingPeriod.objects.create(organisation=org, month=dt.date(2026, 11, 1))
        run = PeriodRun.objects.create(period=november, step="close_readings", heartbeat_at=dt.datetime.now(UTC))
        assert not cycle.run_is_interrupted(run) and cycle.run_status_label(run) == "Выполняется"
    with at(2026, 11, 10, 10):
        assert cycle.run_is_interrupted(run) and cycle.run_status_label(run) == "Прервано"
        cycle.period_close(organisation=org, month=november.month, step="close_readings", force_reason=REASON)
    run.refresh_from_db()
    assert run.status == PeriodRun.Status.INTERRUPTED  # the rerun found it dead and said so
    assert november.runs.filter(status="done").count() == 1
