"""Webhooks against a real HTTP receiver in a thread: the signature verifies with the endpoint's secret, a 500 is
retried after its back-off, and after a success the event is never delivered to that endpoint again."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.management import call_command

from abonent.api import tasks, webhooks
from abonent.api.models import Delivery, Event, WebhookEndpoint
from abonent.billing import cycle
from abonent.payments import services as payments
from abonent.support import services as support
from abonent.testing import factories as f

from .conftest import IN_WINDOW

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP server answering the queued status codes (then 200), recording every request."""

    def __init__(self, codes=()):
        self.codes, self.requests = list(codes), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.codes.pop(0) if receiver.codes else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _endpoint(org, url, events=(Event.APPEAL_CREATED,)):
    return WebhookEndpoint.objects.create(organisation=org, url=url, secret=webhooks.new_secret(), events=list(events))


def _appeal(resident):
    return support.appeal_create(user=resident.user, account_id=resident.account.pk, topic="other", text="Вопрос",
                                 contact="+79000000000")  # fmt: skip


def test_signature_verifies_with_the_secret(resident, receiver):
    endpoint = _endpoint(resident.org, receiver.url)
    appeal = _appeal(resident)
    assert tasks.deliver_due.delay().get() == 1  # the Celery task, inline without a broker
    headers, body = receiver.requests[0]
    expected = hmac.new(endpoint.secret.encode(), headers["X-Abonent-Timestamp"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()  # fmt: skip
    assert headers["X-Abonent-Signature"] == f"sha256={expected}"
    assert headers["X-Abonent-Event"] == "appeal.created"
    payload = json.loads(body)
    assert payload["event"] == "appeal.created" and payload["data"]["appeal"] == appeal.pk
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED


def test_a_500_is_retried_after_the_back_off_and_then_delivered_once(resident):
    receiver = Receiver(codes=[500])
    try:
        _endpoint(resident.org, receiver.url)
        with time_machine.travel(IN_WINDOW, tick=False) as clock:
            _appeal(resident)
            webhooks.deliver_due()
            delivery = Delivery.objects.get()
            assert (delivery.status, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
            webhooks.deliver_due()  # too early: the back-off has not passed
            assert len(receiver.requests) == 1
            clock.shift(dt.timedelta(seconds=webhooks.BACKOFF[0] + 1))
            call_command("deliver_webhooks")
            delivery.refresh_from_db()
            assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 2, 200)
            clock.shift(dt.timedelta(days=1))
            webhooks.deliver_due()
            webhooks.attempt(delivery.pk)  # even asked directly, a delivered one is not sent again
        assert len(receiver.requests) == 2
        assert receiver.requests[0][1] == receiver.requests[1][1]  # the same event, the same body
    finally:
        receiver.close()


def test_the_same_event_twice_is_one_delivery_per_endpoint(resident, receiver):
    _endpoint(resident.org, receiver.url, [Event.PERIOD_PUBLISHED])
    _endpoint(resident.org, receiver.url + "/second", [Event.PERIOD_PUBLISHED])
    for _ in range(2):
        webhooks.enqueue(organisation_id=resident.org.pk, event=Event.PERIOD_PUBLISHED, event_id="period:1",
                         data={"month": "2024-03-01"})  # fmt: skip
    assert Delivery.objects.count() == 2
    webhooks.deliver_due()
    webhooks.deliver_due()
    assert sorted(h["X-Abonent-Delivery"] for h, _ in receiver.requests) == sorted(
        str(pk) for pk in Delivery.objects.values_list("pk", flat=True)
    )


def test_a_dead_receiver_ends_failed_after_the_last_attempt(resident):
    endpoint = _endpoint(resident.org, "http://127.0.0.1:9/nothing-listens")
    _appeal(resident)
    delivery = Delivery.objects.get(endpoint=endpoint)
    with time_machine.travel(IN_WINDOW, tick=False) as clock:
        for _ in range(webhooks.MAX_ATTEMPTS):
            webhooks.attempt(delivery.pk)
            clock.shift(dt.timedelta(days=1))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == webhooks.MAX_ATTEMPTS
    assert delivery.last_error


def test_events_of_another_organisation_are_not_sent(resident, stranger, receiver):
    _endpoint(stranger.org, receiver.url)
    _appeal(resident)
    webhooks.deliver_due()
    assert receiver.requests == [] and not Delivery.objects.exists()


@time_machine.travel(IN_WINDOW, tick=False)
def test_reading_payment_answer_and_period_raise_their_events(resident, receiver, django_capture_on_commit_callbacks):
    _endpoint(resident.org, receiver.url, Event.values)
    resident.write.post(f"/api/v1/accounts/{resident.account.pk}/readings/",
                        {"readings": [{"meter": resident.meter.pk, "value": "10"}], "confirm": True}, format="json")  # fmt: skip
    order = resident.write.post("/api/v1/payments/", {"items": [{"account": resident.account.pk, "amount": "100"}]},
                                format="json").json()["order"]  # fmt: skip
    payments.payment_credit(payment=resident.account.payments.get(order=order))
    appeal = _appeal(resident)
    support.appeal_answer(appeal=appeal, operator=f.OperatorFactory(organisation=resident.org), text="Ответ")
    with django_capture_on_commit_callbacks(execute=True):  # period_published is sent once the publish commits
        cycle.period_close(organisation=resident.org, month=dt.date(2024, 4, 1))
    events = set(Delivery.objects.values_list("event", flat=True))
    assert events == set(Event.values)


def test_with_a_broker_the_first_attempt_is_a_task_queued_on_commit(
    resident, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_DELIVER_ON_COMMIT = True
    _endpoint(resident.org, receiver.url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _appeal(resident)
    assert receiver.requests == []  # nothing sent inside the transaction that raised the event
    for callback in callbacks:
        callback()  # the commit: the task runs (inline here, on a worker with a broker)
    assert len(receiver.requests) == 1 and Delivery.objects.get().status == Delivery.Status.DELIVERED
