"""The broker goes away in the middle of a job and comes back: the job completes, every letter sent once.

The job is the payment-due mailing in chunks of two letters, sent to a real SMTP server that takes its time; at
the third letter the broker is lost. The machine's Redis and RabbitMQ are shared (other developers, the suite's
other xdist worker), so neither is restarted here:

- Redis: a redis-server of the test's own (append-only file synced on every write) is killed with SIGKILL and
  started again on the same port and data: a real broker restart. Skipped where redis-server is not installed.
- RabbitMQ: the workers reach the shared broker through a TCP proxy in the test, which is cut (its listener and
  every connection closed at once, as when the broker restarts or the network fails: the broker sees its
  consumers gone and queues their unacknowledged messages again) and then listens again. Skipped where
  RabbitMQ does not answer.

The worker notices the loss once its chunk has ended (its acknowledgement fails) and says so in its log; the
broker comes back after that, the worker reconnects, the chunk it could not acknowledge is delivered again and
skipped (done), the rest run."""

import asyncio
import collections
import datetime as dt
import threading
from decimal import Decimal as D
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from abonent.billing import cycle
from abonent.billing.models import Service
from abonent.jobs.models import Job
from abonent.payments import tasks as payment_tasks
from abonent.payments.models import PaymentDueNotice
from abonent.testing import factories as f
from abonent.testing.brokers import CuttableProxy, PrivateRedis
from abonent.testing.smtp import Inbox, free_port
from abonent.testing.workers import AMQP_URL, new_queue, reachable, sending_to, wait_for, workers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.workers]
LOST = "Connection to broker lost"


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("рабочие процессы работают с базой теста: только на PostgreSQL (make test-postgres)")


class SlowInbox(Inbox):
    """Takes a while over each letter (so the job is still running when the broker goes) and marks the n-th."""

    def __init__(self, mark_at: int):
        super().__init__()
        self.mark_at, self.marked = mark_at, threading.Event()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.2)
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == self.mark_at:
            self.marked.set()
        return reply


@pytest.fixture
def debtors():
    """Ten accounts owing their October, each with a subscriber who gets the payment-due letter."""
    org = f.OrganisationFactory()
    building = f.BuildingFactory(organisation=org)
    accounts = [f.PersonalAccountFactory(premises=f.PremisesFactory(building=building)) for _ in range(10)]
    fixed = f.ServiceFactory(organisation=org, method=Service.Method.FIXED, resource="")
    f.TariffFactory(service=fixed, valid_from=dt.date(2026, 1, 1), valid_to=None, price=D("100"))
    october = cycle.period_close(organisation=org, month=dt.date(2026, 10, 1))  # its own mailing: nobody yet
    emails = [f.AccountLinkFactory(account=a, receipts_by_email=True).user.email for a in accounts]
    return october, emails


def _mailing_outlives_the_broker(broker_url: str, lose, restore, debtors, tmp_path):
    october, emails = debtors
    inbox = SlowInbox(mark_at=3)
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {"EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}", "PAYMENTS_DUE_MAIL_CHUNK": "2"}
    queue = new_queue()
    try:
        with sending_to(broker_url, queue):
            job = payment_tasks.due_mail_start(period=october)
            with workers(broker_url, queue, tmp_path, env=env) as [worker]:
                assert inbox.marked.wait(25), "the worker sent nothing"
                lose()
                wait_for(lambda: LOST in worker.log.read_text(errors="replace"), what="the worker to lose the broker")
                restore()
                wait_for(lambda: not Job.objects.get(pk=job.pk).is_active, timeout=60, what="the mailing")
    finally:
        smtp.stop()
    job.refresh_from_db()
    assert job.state == Job.State.FINISHED, job.error
    assert (job.chunks_total, job.chunks_done) == (5, 5)
    assert collections.Counter(m["To"] for m in inbox.messages) == dict.fromkeys(emails, 1)
    assert PaymentDueNotice.objects.filter(period=october).count() == 10


def test_redis_restarted_mid_job(debtors, tmp_path):
    if not PrivateRedis.available():
        pytest.skip("redis-server не установлен: перезапускать общий Redis тесту нельзя")
    redis = PrivateRedis(tmp_path / "redis").start()
    try:
        _mailing_outlives_the_broker(redis.url, redis.kill, redis.start, debtors, tmp_path / "worker")
    finally:
        redis.stop()


def test_rabbitmq_connection_cut_mid_job(debtors, tmp_path):
    if not reachable(AMQP_URL):
        pytest.skip(f"брокер rabbitmq не отвечает ({AMQP_URL})")
    proxy = CuttableProxy(urlsplit(AMQP_URL).port or 5672).restore()
    try:
        _mailing_outlives_the_broker(proxy.url(AMQP_URL), proxy.cut, proxy.restore, debtors, tmp_path / "worker")
    finally:
        proxy.cut()
