"""The month closes by itself on each organisation's local calendar; the commands drive the same service."""

import datetime as dt
from decimal import Decimal as D
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from abonent.billing.models import BillingPeriod, Charge, PeriodRun, Service
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs():
    made = []
    for tz in ("Europe/Ulyanovsk", "Europe/Moscow"):  # UTC+4 and UTC+3
        org = f.OrganisationFactory(timezone=tz, receipt_issue_day=5)
        f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
        svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="")
        f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D("100"))
        made.append(org)
    return made


def state(org, month):
    period = BillingPeriod.objects.filter(organisation=org, month=month).first()
    return period.state if period else None


def test_schedule_follows_local_days(orgs):
    ulyanovsk, moscow = orgs
    april, march = dt.date(2026, 4, 1), dt.date(2026, 3, 1)
    with time_machine.travel(dt.datetime(2026, 4, 29, 12, tzinfo=dt.UTC), tick=False):
        call_command("run_schedule", stdout=StringIO())
    # March was never closed: caught up and published (the 29th is after the issue day); April not yet due.
    assert state(ulyanovsk, march) == "published" and state(ulyanovsk, april) is None
    with time_machine.travel(dt.datetime(2026, 4, 30, 19, 30, tzinfo=dt.UTC), tick=False):  # 23:30 / 22:30 local
        call_command("run_schedule", stdout=StringIO())
    assert state(ulyanovsk, april) == state(moscow, april) == "calculated"
    with time_machine.travel(dt.datetime(2026, 5, 4, 20, 30, tzinfo=dt.UTC), tick=False):
        call_command("run_schedule", stdout=StringIO())  # 00:30 on the 5th in Ulyanovsk, 23:30 on the 4th in Moscow
    assert state(ulyanovsk, april) == "published"
    assert state(moscow, april) == "calculated"
    with time_machine.travel(dt.datetime(2026, 5, 4, 20, 30, tzinfo=dt.UTC), tick=False):
        call_command("run_schedule", stdout=StringIO())  # again: nothing changes
    assert Charge.objects.filter(period__organisation=ulyanovsk, period__month=april).count() == 1


def test_close_period_command(orgs):
    org = orgs[0]
    out = StringIO()
    call_command("close_period", org=org.code, period="2026-04", step="all", no_progress=True, stdout=out)
    assert "опубликован" in out.getvalue().lower()
    assert PeriodRun.objects.filter(period__organisation=org, status="done").count() == 3
    with pytest.raises(CommandError, match="опубликован"):
        call_command("close_period", org=org.code, period="2026-04", step="calculate", stdout=StringIO())
    assert PeriodRun.objects.filter(period__organisation=org, status="failed").count() == 1
    with pytest.raises(CommandError):
        call_command("close_period", org="nope", period="2026-04", stdout=StringIO())


def test_the_beat_task_starts_the_schedule_as_jobs_in_the_list(orgs, django_capture_on_commit_callbacks):
    """What beat runs hourly: one job per organisation with something due (started by «расписание», with its
    progress and phases like a job an operator started); the work is the workers' (here, eager on commit)."""
    from abonent.billing.tasks import run_schedule  # noqa: PLC0415
    from abonent.jobs.models import Job  # noqa: PLC0415

    ulyanovsk, moscow = orgs
    with time_machine.travel(dt.datetime(2026, 4, 29, 12, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            ids = run_schedule()
        jobs = list(Job.objects.filter(pk__in=ids).order_by("organisation_id"))
        assert [(j.kind, j.organisation, j.started_by, j.state) for j in jobs] == [
            ("billing.schedule", org, None, "queued") for org in (ulyanovsk, moscow)
        ]
        assert jobs[0].params["steps"] == [["2026-03-01", "publish"]]
        assert state(ulyanovsk, dt.date(2026, 3, 1)) is None  # nothing done in the beat's own process
        assert sorted(run_schedule()) == sorted(ids)  # the next beat while they wait: the same jobs
        with django_capture_on_commit_callbacks(execute=True):
            from abonent.jobs import runner  # noqa: PLC0415

            for job in jobs:
                runner.job_run(job.pk)
    jobs = list(Job.objects.filter(kind="billing.schedule").order_by("organisation_id"))
    assert [j.state for j in jobs] == ["finished", "finished"]
    assert jobs[0].total == jobs[0].done == 1  # the calculation's accounts, as the manual close shows them
    assert state(ulyanovsk, dt.date(2026, 3, 1)) == "published"
    # the publish queued its mailings as jobs too, and the page shows the schedule as who started it
    assert {"receipts.mail", "payments.due_mail"} <= set(Job.objects.values_list("kind", flat=True))
    page = client_page(jobs[0])
    assert "Запустил: расписание" in page and "Закрытие месяца по расписанию" in page


def client_page(job):
    from django.test import Client  # noqa: PLC0415

    client = Client()
    client.force_login(f.OperatorFactory(organisation=job.organisation))
    return client.get(f"/admin/jobs/{job.pk}/").content.decode()
