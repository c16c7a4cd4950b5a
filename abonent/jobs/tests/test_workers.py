"""Faults with real worker processes, on Redis and on RabbitMQ: a worker killed with SIGKILL in the middle of a
chunk of the receipts mailing or of a registry import loses nothing and doubles nothing (every receipt reaches a
real SMTP server once, every registry line is credited once), several workers share a job, and a job whose code
raises shows the error and runs again on retry; the payment-due mailing's chunks likewise.

The workers share the test's database, so these run on PostgreSQL (`make test-postgres`); they are skipped, with
the reason, where the broker does not answer. The broker lost mid-job is test_broker_restart (a private Redis
restarted, RabbitMQ's connections cut by a proxy: the shared brokers are never restarted)."""

import asyncio
import collections
import datetime as dt
import threading
from decimal import Decimal as D

import psycopg
import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from abonent.billing import cycle
from abonent.billing import tasks as billing_tasks
from abonent.billing.models import BillingPeriod, Service
from abonent.jobs.models import Job, JobChunk
from abonent.jobs.services import job_retry
from abonent.payments import tasks as payment_tasks
from abonent.payments.models import Payment, PaymentDueNotice, Registry
from abonent.payments.tests.test_registry import build, line
from abonent.receipts import tasks as receipt_tasks
from abonent.receipts.models import ReceiptDelivery
from abonent.testing import factories as f
from abonent.testing.smtp import Inbox, free_port
from abonent.testing.workers import BROKERS, database_url, new_queue, reachable, sending_to, wait_for, workers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.workers]


@pytest.fixture(params=sorted(BROKERS))
def broker(request):
    if connection.vendor != "postgresql":
        pytest.skip("рабочие процессы работают с базой теста: только на PostgreSQL (make test-postgres)")
    url = BROKERS[request.param]
    if not reachable(url):
        pytest.skip(f"брокер {request.param} не отвечает ({url})")
    return url


class HoldingInbox(Inbox):
    """Keeps the n-th letter's SMTP exchange open after taking it, so the test kills the sender mid-send."""

    def __init__(self, hold_at: int):
        super().__init__()
        self.hold_at, self.held = hold_at, threading.Event()

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == self.hold_at:
            self.held.set()
            await asyncio.sleep(5)
        return reply


@pytest.fixture
def city():
    """Ten accounts with a published October (its mailing, run at publishing, found nobody subscribed)."""
    org = f.OrganisationFactory()
    building = f.BuildingFactory(organisation=org)
    accounts = [f.PersonalAccountFactory(premises=f.PremisesFactory(building=building)) for _ in range(10)]
    fixed = f.ServiceFactory(organisation=org, name="Обращение с ТКО", method=Service.Method.FIXED, resource="")
    f.TariffFactory(service=fixed, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D("123.45"))
    cycle.period_close(organisation=org, month=dt.date(2026, 9, 1))
    return {"org": org, "accounts": accounts}


def _mailing_with_the_first_worker_killed(broker, city, tmp_path, start, chunk_setting: str):
    """A mailing in chunks of 3 to a real SMTP server: the first worker is killed during its second letter, two
    more finish the job. Returns the job, the subscribers' addresses and what the server received, by address."""
    october = cycle.period_close(organisation=city["org"], month=dt.date(2026, 10, 1))
    emails = [f.AccountLinkFactory(account=a, receipts_by_email=True).user.email for a in city["accounts"]]
    inbox = HoldingInbox(hold_at=2)
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {"EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}", chunk_setting: "3"}
    queue = new_queue()
    try:
        with sending_to(broker, queue):
            job = start(october)
            with workers(broker, queue, tmp_path / "a", env=env) as [first]:
                assert inbox.held.wait(25), "the first worker sent nothing"
                first.kill()  # in the middle of the first chunk, during its second letter
            with workers(broker, queue, tmp_path / "b", count=2, env=env):
                wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.State.FINISHED, what="the mailing")
    finally:
        smtp.stop()
    job.refresh_from_db()
    return job, emails, collections.Counter(m["To"] for m in inbox.messages)


def test_a_worker_killed_mid_chunk_mails_every_receipt_once(broker, city, tmp_path):
    start = lambda period: receipt_tasks.mailing_start(period=period)  # noqa: E731
    job, emails, received = _mailing_with_the_first_worker_killed(broker, city, tmp_path, start, "RECEIPTS_MAIL_CHUNK")
    assert received == dict.fromkeys(emails, 1)
    assert (job.chunks_total, job.chunks_done) == (4, 4)  # a redelivered run task only re-sends undone chunks
    # the letter cut off mid-send stays claimed (it may have gone: it is never sent twice); the rest are sent
    statuses = collections.Counter(ReceiptDelivery.objects.values_list("status", flat=True))
    assert statuses == {"sent": 9, "claimed": 1}


def test_a_worker_killed_mid_import_credits_every_line_once(broker, city, tmp_path):
    numbers = [a.number for a in city["accounts"]]
    data = build([line(number, f"{100 + n}.00", f"K{n}") for n, number in enumerate(numbers)])
    queue = new_queue()
    # A lock on the registries' table stops the import inside its transaction, where the worker is killed.
    blocker = psycopg.connect(database_url().replace("postgres://", "postgresql://"), autocommit=False)
    blocker.execute("LOCK TABLE payments_registry IN SHARE ROW EXCLUSIVE MODE")
    try:
        with sending_to(broker, queue):
            job = payment_tasks.registry_start(
                organisation=city["org"], data=data, file_name="reestr.txt", layout="sber"
            )
            with workers(broker, queue, tmp_path / "a") as [first]:
                wait_for(lambda: _waits_on_registry(blocker), what="the import to reach its transaction")
                first.kill()
            blocker.rollback()
            with workers(broker, queue, tmp_path / "b"):
                wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.State.FINISHED, what="the import")
    finally:
        blocker.close()
    job.refresh_from_db()
    assert job.result["created"] == 10 and job.attempts == 2
    assert Registry.objects.count() == 1
    credited = collections.Counter(Payment.objects.values_list("external_id", flat=True))
    assert len(credited) == 10 and set(credited.values()) == {1}


def _waits_on_registry(blocker) -> bool:
    row = blocker.execute(
        "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'payments_registry'::regclass"
    ).fetchone()
    return row[0] > 0


def test_two_workers_share_a_job_and_no_chunk_runs_twice(broker, city, tmp_path):
    october = cycle.period_close(organisation=city["org"], month=dt.date(2026, 10, 1))
    queue = new_queue()
    with sending_to(broker, queue), workers(broker, queue, tmp_path, count=2, env={"RECEIPTS_EXPORT_CHUNK": "2"}):
        job = receipt_tasks.export_start(period=october, fmt="zip")
        wait_for(lambda: Job.objects.get(pk=job.pk).state != Job.State.QUEUED, what="the export to start")
        wait_for(lambda: not Job.objects.get(pk=job.pk).is_active, what="the export")
    job.refresh_from_db()
    assert job.state == Job.State.FINISHED, job.error
    assert job.result["receipts"] == 10 and job.result_file
    chunks = list(JobChunk.objects.filter(job=job))
    assert len(chunks) == 5 and all(c.done for c in chunks)
    assert len({c.result["_by"] for c in chunks}) == 2  # both workers took chunks of the one job


def test_a_job_that_raises_shows_the_error_and_is_retried(broker, city, tmp_path):
    october = BillingPeriod.objects.create(organisation=city["org"], month=dt.date(2026, 10, 1))
    queue = new_queue()
    with sending_to(broker, queue), workers(broker, queue, tmp_path):
        job = billing_tasks.close_start(period=october, step="publish")
        wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.State.FAILED, what="the publish to fail")
        job.refresh_from_db()
        assert "ещё не рассчитан" in job.error
        cycle.period_close(organisation=city["org"], month=october.month, step="close_readings")
        cycle.period_close(organisation=city["org"], month=october.month, step="calculate")
        job_retry(job=job)
        wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.State.FINISHED, what="the retried publish")
    october.refresh_from_db()
    assert october.state == BillingPeriod.State.PUBLISHED


def test_a_worker_killed_mid_chunk_sends_every_payment_due_letter_once(broker, city, tmp_path):
    """The payment-due mailing fanned out like the receipts': the killed worker's chunk runs again on another
    worker and sends only the letters not claimed, so every debtor gets the letter exactly once."""
    start = lambda period: payment_tasks.due_mail_start(period=period)  # noqa: E731
    job, emails, received = _mailing_with_the_first_worker_killed(
        broker, city, tmp_path, start, "PAYMENTS_DUE_MAIL_CHUNK"
    )
    assert received == dict.fromkeys(emails, 1)
    assert (job.chunks_total, job.chunks_done, job.done, job.total) == (4, 4, 10, 10)
    assert PaymentDueNotice.objects.filter(period=job.params["period"]).count() == 10  # the cut-off one stays claimed
