"""Management commands run jobs in the foreground with a tqdm bar, recorded like any job: run_job for every kind
(--file for the kinds reading an upload, --user for those acting as an operator), and the domain's commands
(close_period, send_receipts, send_reading_reminders, run_schedule) through the same jobs. A command never runs
here a job already queued for the workers."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from abonent.billing import tasks as billing_tasks
from abonent.billing.models import BillingPeriod, Service
from abonent.jobs.models import Job
from abonent.payments.models import Payment
from abonent.payments.tests.test_registry import build, line
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    org = f.OrganisationFactory()
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="")
    f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D("100"))
    return org, account


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_run_job_reads_a_file_for_the_upload_kinds(org, tmp_path):
    org, account = org
    path = tmp_path / "reestr.txt"
    path.write_bytes(build([line(account.number, "100.00", "C1")]))
    out, err = _run("run_job", "payments.registry", "--org", org.code, "--file", str(path), "--param", "layout=sber")
    job = Job.objects.get()
    assert (job.state, job.result["created"], job.upload_name) == ("finished", 1, "reestr.txt")
    assert "Загрузка реестра платежей" in err and Payment.objects.get().amount == D("100.00")
    with pytest.raises(CommandError, match="не прочитан"):
        _run("run_job", "payments.registry", "--org", org.code, "--file", str(tmp_path / "nope.txt"))


def test_run_job_as_an_operator_writes_an_admin_export(org):
    org, account = org
    operator = f.OperatorFactory(organisation=org)
    Payment.objects.create(organisation=org, account=account, amount=D("42.00"), paid_on=dt.date(2026, 11, 2),
                           channel="cash", status="credited", external_id="X1")  # fmt: skip
    params = ["--param", "format=xlsx", "--param", "selected=all", "--param", "query=[]"]
    out, _ = _run("run_job", "payments.export", "--org", org.code, "--user", operator.username, *params)
    job = Job.objects.get()
    assert job.state == "finished" and job.result["entries"] == 1 and "Файл:" in out
    assert job.started_by == operator


def test_close_period_is_a_job_with_a_bar_and_refuses_one_already_queued(org, django_capture_on_commit_callbacks):
    org, _ = org
    out, err = _run("close_period", "--org", org.code, "--period", "2026-10", "--step", "close_readings")
    job = Job.objects.get()
    assert (job.kind, job.state, job.started_by) == ("billing.close", "finished", None)
    assert "Закрытие месяца" in err and "2026" in out
    period = BillingPeriod.objects.get(organisation=org)
    with django_capture_on_commit_callbacks(execute=False):  # queued for the workers, not yet run
        queued = billing_tasks.close_start(period=period, step="calculate")
    with pytest.raises(CommandError, match=f"уже в очереди или выполняется: №{queued.pk}"):
        _run("close_period", "--org", org.code, "--period", "2026-10", "--step", "calculate")
    queued.refresh_from_db()
    assert queued.state == "queued" and queued.attempts == 0  # left to the workers


def test_the_mailing_and_reminders_commands_are_jobs(org):
    org, _ = org
    _run("close_period", "--org", org.code, "--period", "2026-10")
    out, _ = _run("send_receipts", "--org", org.code, "--period", "2026-10")
    assert "отправлено 0" in out
    _run("send_reading_reminders", "--org", org.code)
    kinds = set(Job.objects.filter(state="finished").values_list("kind", flat=True))
    assert {"billing.close", "receipts.mail", "metering.reminders"} <= kinds
