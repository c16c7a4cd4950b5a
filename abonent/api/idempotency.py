"""Idempotency-Key on a POST that creates money or readings: the first successful answer is stored with the key,
and a repeat of the key gets that answer again without doing anything.

The stored row is written in the same transaction as what the POST creates, so they exist together or not at
all. Two requests with one key at once: PostgreSQL makes the second insert wait on the unique index until the
first commits, then it fails and the second reads the stored answer. A refused request (4xx) stores nothing: the
client may correct it and send it again with the same key."""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from rest_framework.response import Response

from .errors import ApiError
from .models import IdempotentAnswer, OrgApiKey

HEADER = "Idempotency-Key"


class _Refused(Exception):
    def __init__(self, response):
        self.response = response


def _owner(request) -> dict:
    if isinstance(request.auth, OrgApiKey):
        return {"api_key": request.auth, "user": None}
    return {"user": request.user, "api_key": None}


def _fingerprint(request) -> str:
    body = request.body if not request.content_type.startswith("multipart/") else b"multipart"
    return hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n" + body).hexdigest()


def _key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
        raise ApiError("Idempotency-Key — от 1 до 255 печатных символов ASCII.", "idempotency_key_invalid")
    return key


def _replay(stored: IdempotentAnswer, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        raise ApiError(
            "Этот Idempotency-Key уже использован для другого запроса.", "idempotency_key_reused", status_code=422
        )
    response = Response(stored.body, status=stored.status)
    response["Idempotent-Replayed"] = "true"
    return response


def once(request, produce) -> Response:
    """produce() → Response, run at most once per (caller, Idempotency-Key)."""
    key = _key(request)
    if key is None:
        return produce()
    owner, fingerprint = _owner(request), _fingerprint(request)
    stored = IdempotentAnswer.objects.filter(key=key, **owner).first()
    if stored is not None:
        return _replay(stored, fingerprint)
    try:
        with transaction.atomic():
            record = IdempotentAnswer.objects.create(key=key, fingerprint=fingerprint, **owner)
            response = produce()
            if response.status_code >= 400:
                raise _Refused(response)
            record.status = response.status_code
            record.body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
            record.save(update_fields=["status", "body"])
    except _Refused as refused:
        return refused.response
    except IntegrityError:
        stored = IdempotentAnswer.objects.filter(key=key, **owner).first()
        if stored is None:
            raise
        return _replay(stored, fingerprint)
    return response
