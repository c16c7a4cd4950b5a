"""No operator action or upload does its work inside the request: each queues a job and answers at once. The
job's task is sent on commit (which a test transaction never reaches unless asked), so here nothing of the work
can have happened by the time the response is back."""

import datetime as dt
import time
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from abonent.billing import cycle
from abonent.billing.models import BillingPeriod, PeriodRun, Service
from abonent.jobs.models import Job
from abonent.metering.models import Reading
from abonent.payments.models import Payment, Registry
from abonent.payments.tests.test_registry import build, line
from abonent.receipts.models import ReceiptDelivery
from abonent.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    org = f.OrganisationFactory()
    account = f.PersonalAccountFactory(premises=f.PremisesFactory(building=f.BuildingFactory(organisation=org)))
    svc = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="")
    f.TariffFactory(service=svc, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D("100"))
    f.AccountLinkFactory(account=account, receipts_by_email=True)
    return org


@pytest.fixture
def operator(client, org):
    user = f.OperatorFactory(organisation=org)
    client.force_login(user)
    return user


def _quick(call):
    """The request answers without the work: that it is not done is asserted by each test; the clock only
    catches a gross regression (a second of slack for a loaded test machine)."""
    start = time.monotonic()
    response = call()
    assert time.monotonic() - start < 2.0
    assert response.status_code in (200, 302)
    return response


@pytest.mark.parametrize("action", ["run_close_readings", "run_calculate", "run_publish", "run_all"])
def test_each_step_of_the_close_is_queued(client, operator, org, action):
    period = BillingPeriod.objects.create(organisation=org, month=dt.date(2026, 10, 1))
    url = reverse("admin:billing_billingperiod_changelist")
    _quick(lambda: client.post(url, {"action": action, "_selected_action": [period.pk]}))
    page = client.get(url)
    job = Job.objects.get()
    assert (job.kind, job.state, job.started_by, job.organisation) == ("billing.close", "queued", operator, org)
    assert reverse("jobs:detail", args=[job.pk]) in page.content.decode()
    period.refresh_from_db()
    assert period.state == BillingPeriod.State.OPEN and not PeriodRun.objects.exists()
    # a second operator pressing the same button gets the same job
    client.force_login(f.OperatorFactory(organisation=org))
    _quick(lambda: client.post(url, {"action": action, "_selected_action": [period.pk]}))
    assert Job.objects.count() == 1


def test_the_registry_upload_is_queued(client, operator, org):
    account = org.personalaccount_set.get() if hasattr(org, "personalaccount_set") else None
    number = account.number if account else "1"
    data = build([line(number, "100.00", "Q1")])
    upload = SimpleUploadedFile("reestr.txt", data)
    url = reverse("admin:payments_registry_upload")
    _quick(lambda: client.post(url, {"file": upload, "layout": "sber"}))
    job = Job.objects.get()
    assert (job.kind, job.state, bytes(job.upload)) == ("payments.registry", "queued", data)
    assert not Registry.objects.exists() and not Payment.objects.exists()


def test_the_readings_upload_is_queued(client, operator):
    upload = SimpleUploadedFile("r.csv", b"1;2;3;20.11.2026\n")
    _quick(lambda: client.post(reverse("admin:metering_reading_import"), {"file": upload}))
    assert Job.objects.get().kind == "metering.import" and not Reading.objects.exists()


@pytest.mark.parametrize("action", ["export_pdf", "export_zip"])
def test_the_receipts_export_is_queued(client, operator, org, action):
    period = cycle.period_close(organisation=org, month=dt.date(2026, 10, 1))
    Job.objects.all().delete()  # the publish's own mailings
    url = "/admin/receipts/periodreceipts/"
    _quick(lambda: client.post(url, {"action": action, "_selected_action": [period.pk]}))
    job = Job.objects.get()
    assert (job.kind, job.state, job.params["format"]) == ("receipts.export", "queued", action[-3:])
    assert not job.result_file


def test_publishing_queues_the_mailings(org, django_capture_on_commit_callbacks):
    """The publish step (itself a job) mails nothing in its own process: the receipts and the payment-due
    letters are jobs of their own, queued once the publish has committed, and so are the issued receipts'
    documents, the bank's debt registry (each reads every account) and the notices to linked messenger chats."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cycle.period_close(organisation=org, month=dt.date(2026, 10, 1))
    assert not Job.objects.exists() and not ReceiptDelivery.objects.exists()
    for callback in callbacks:
        callback()  # the commit: period_published → the jobs are started
    kinds = sorted(Job.objects.values_list("kind", flat=True))
    assert kinds == [
        "bots.notices",
        "exchange.debt_registry",
        "payments.due_mail",
        "receipts.documents",
        "receipts.mail",
    ]


def _same_job_for_a_second_operator(client, org, call):
    job = Job.objects.get()
    client.force_login(f.OperatorFactory(organisation=org))
    _quick(call)
    assert list(Job.objects.all()) == [job]
    return job


@pytest.mark.parametrize(
    ("url", "action", "kind"),
    [
        ("admin:payments_payment_changelist", "export_xlsx", "payments.export"),
        ("admin:metering_reading_changelist", "export_csv", "metering.export"),
        ("admin:metering_reading_changelist", "export_xlsx", "metering.export"),
    ],
)
def test_the_admins_table_exports_are_queued(client, operator, org, url, action, kind):
    """All matching rows of a filtered list: the selection travels as the list's query, not as rows."""
    url = reverse(url) + "?q=1"
    call = lambda: client.post(url, {"action": action, "_selected_action": ["1"], "select_across": "1"})  # noqa: E731
    page = _quick(call)
    job = Job.objects.get()
    assert (job.kind, job.state, job.started_by, job.params["selected"]) == (kind, "queued", operator, "all")
    assert job.params["query"] == [["q", "1"]] and job.params["format"] == action.split("_")[1]
    assert not job.result_file
    assert (
        reverse("jobs:detail", args=[job.pk])
        in client.get(page.url if page.status_code == 302 else url).content.decode()
    )
    _same_job_for_a_second_operator(client, org, call)


@pytest.mark.parametrize("path", ["/office/reports/turnover/", "/office/reports/payments/", "/office/reports/readings/",
                                  "/office/debtors/"])  # fmt: skip
def test_the_offices_report_files_are_queued(client, org, path):
    from abonent.office.models import Role  # noqa: PLC0415
    from abonent.office.tests.conftest import make_operator  # noqa: PLC0415

    client.force_login(make_operator(org, Role.ACCOUNTANT))
    call = lambda: client.get(path, {"format": "xlsx", "first": "10.2026"})  # noqa: E731
    response = _quick(call)
    job = Job.objects.get()
    assert response.url == reverse("office:job", args=[job.pk])
    assert (job.kind, job.state, job.params["format"]) == ("office.export", "queued", "xlsx")
    assert not job.result_file
    client.force_login(make_operator(org, Role.ACCOUNTANT))
    _quick(call)
    assert Job.objects.count() == 1


def test_the_billing_month_and_bank_statement_uploads_are_queued(client, operator):
    from abonent.exchange.models import ExchangeFile  # noqa: PLC0415

    month = SimpleUploadedFile("october.csv", b"100001;1;100\n")
    _quick(lambda: client.post(reverse("admin:exchange_exchangefile_upload"), {"file": month, "month": "10.2026"}))
    statement = SimpleUploadedFile("kl_to_1c.txt", b"1CClientBankExchange\n")
    _quick(lambda: client.post(reverse("admin:exchange_exchangefile_statement"), {"file": statement}))
    jobs = {job.kind: job for job in Job.objects.all()}
    assert sorted(jobs) == ["exchange.month_import", "exchange.statement"]
    month_job = jobs["exchange.month_import"]  # the one kind the API's month import queues too
    assert bytes(month_job.upload) == b"100001;1;100\n" and month_job.state == "queued"
    assert not ExchangeFile.objects.exists() and not Payment.objects.exists()
