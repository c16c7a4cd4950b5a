"""Webhooks: an organisation's endpoints are told of its events by a signed POST, retried with back-off until
the receiver answers 2xx, and never again after that.

- One Delivery row per (endpoint, event id), by a unique constraint: an event sent twice (a signal fired again,
  a retried task) is still delivered at most once per endpoint.
- The body is JSON; the signature is X-Abonent-Signature: sha256=HMAC-SHA256(secret, "<timestamp>.<body>") in hex,
  with the timestamp in X-Abonent-Timestamp, so a receiver can refuse an old message replayed.
- A failed attempt (no answer in TIMEOUT seconds, or not 2xx) waits BACKOFF[n] seconds before the next one; after
  the last it is "failed" and stays in the log.
- Nothing is sent from inside the request: the first attempt is a Celery task queued on commit (with a broker) or
  left for `deliver_due` (manage.py deliver_webhooks from cron, or the beat schedule) without one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import Delivery, WebhookEndpoint

TIMEOUT = 5
BACKOFF = (30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600)  # seconds before attempts 2…9
MAX_ATTEMPTS = len(BACKOFF) + 1


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def endpoints_for(organisation_id: int, event: str) -> list[WebhookEndpoint]:
    """The organisation's active endpoints that want this event (one query)."""
    return [e for e in WebhookEndpoint.objects.filter(organisation_id=organisation_id, is_active=True)
            if event in e.events]  # fmt: skip


def enqueue(
    *, organisation_id: int, event: str, event_id: str, data: dict, endpoints: list[WebhookEndpoint] | None = None
) -> list[int]:
    """Record the event for each of the organisation's endpoints that wants it; returns the deliveries' ids (the
    receivers queue them after the commit). `endpoints`: looked up once by a caller recording many events."""
    if endpoints is None:
        endpoints = endpoints_for(organisation_id, event)
    if not endpoints:
        return []
    payload = json.loads(json.dumps({"event": event, "id": event_id, "data": data}, cls=DjangoJSONEncoder))
    rows = [Delivery(endpoint=e, event=event, event_id=event_id, payload=payload) for e in endpoints]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)  # the same event again: the first row stays
    ids = list(
        Delivery.objects.filter(endpoint__in=endpoints, event_id=event_id, status=Delivery.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    return ids


def _post(endpoint: WebhookEndpoint, delivery: Delivery) -> int:
    body = json.dumps(delivery.payload, ensure_ascii=False).encode()
    timestamp = str(int(timezone.now().timestamp()))
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Abonent-Webhooks/1",
            "X-Abonent-Event": delivery.event,
            "X-Abonent-Delivery": str(delivery.pk),
            "X-Abonent-Timestamp": timestamp,
            "X-Abonent-Signature": sign(endpoint.secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def attempt(delivery_id: int) -> str:
    """One attempt of one delivery, if it is still due; returns its status afterwards. The row is locked for the
    attempt, so two workers never post the same delivery at once."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .first()
        )
        if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > timezone.now()):
            return delivery.status if delivery else "skipped"
        try:
            code, error = _post(delivery.endpoint, delivery), ""
        except (OSError, ValueError) as exc:  # refused, timed out, no such host, a bad URL
            code, error = None, f"{type(exc).__name__}: {exc}"[:300]
        _record(delivery, code, error)
        return delivery.status


def _record(delivery: Delivery, code: int | None, error: str) -> None:
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = code, error
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            Delivery.Status.DELIVERED,
            timezone.now(),
            None,
        )
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
    else:
        delivery.next_attempt_at = timezone.now() + dt.timedelta(seconds=BACKOFF[delivery.attempts - 1])
    delivery.save(update_fields=["attempts", "last_status", "last_error", "status", "delivered_at", "next_attempt_at"])


def deliver_due(limit: int = 500) -> int:
    """Attempt every pending delivery whose time has come (new ones and retries); returns how many were tried."""
    now = timezone.now()
    due = Delivery.objects.filter(status=Delivery.Status.PENDING).exclude(next_attempt_at__gt=now)
    ids = list(due.order_by("created_at", "id").values_list("pk", flat=True)[:limit])
    for pk in ids:
        attempt(pk)
    return len(ids)
