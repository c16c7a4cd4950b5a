"""Issued receipts as documents: what a period's ЕПД said on the day it was published, kept as it was.

A published period's figures are frozen (billing.frozen), but a receipt also shows things that live on: the
organisation's bank details and address, the payer's name, the premises' area, the activation code. So at publish
every receipt is computed once (selectors.receipts_computed) and stored whole (IssuedReceipt); a reprint, the print
page, the QR code and the e-mail are built from the stored document, never from today's register.

The document is the Receipt itself in a tagged JSON: Decimals and dates keep their type, model instances their
fields and the related rows read with them, dataclasses their fields. A field added to the Receipt later is stored
with it, with no change here. The organisation is stored once per receipt, in `payee`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
from collections.abc import Iterable
from decimal import Decimal

from django.apps import apps
from django.db import models

from abonent.orgs.models import Organisation

from .models import IssuedReceipt

PAYEE = {"$payee": 1}


def document_number(period_month: dt.date, account_number: str) -> str:
    """The payment document's number: the month and the account (unique within the organisation)."""
    return f"{period_month:%m%Y}-{account_number}"


def model_fields(obj: models.Model) -> dict:
    """A row's own fields by attname, in the document's JSON."""
    return {f.attname: _encode(f.value_from_object(obj), {}) for f in obj._meta.concrete_fields}


def encode(receipt) -> tuple[dict, dict]:
    """(data, payee) of a receipt: the tagged document and the organisation's fields."""
    return _encode(receipt, {}), model_fields(receipt.organisation)


def decode(data: dict, payee: dict):
    """The Receipt a document stores, its organisation the one of the day it was issued."""
    organisation = _model(Organisation, payee)
    return _decode(data, organisation, {})


def stored(period, account_ids: Iterable[int] | None = None) -> list | None:
    """The period's issued receipts of these accounts (all: None) by account number, or None when the period
    was published before receipts were stored (then they are computed as before)."""
    rows = IssuedReceipt.objects.filter(period=period)
    if account_ids is not None:
        rows = rows.filter(account_id__in=list(account_ids))
    found = list(rows.order_by("account__number").values_list("data", "payee"))
    if not found and not IssuedReceipt.objects.filter(period=period).exists():
        return None
    return [decode(data, payee) for data, payee in found]


def _encode(value, seen: dict):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_encode(v, seen) for v in value]
    if isinstance(value, dict):
        return {"$map": [[_encode(k, seen), _encode(v, seen)] for k, v in value.items()]}
    if isinstance(value, Organisation):
        return PAYEE
    if isinstance(value, models.Model):
        return _encode_model(value, seen)
    if dataclasses.is_dataclass(value):
        cls = type(value)
        fields = {f.name: _encode(getattr(value, f.name), seen) for f in dataclasses.fields(value)}
        return {"$dc": f"{cls.__module__}.{cls.__qualname__}", "f": fields}
    return str(value)  # a UUID, a lazy translation: stored as the text shown


def _encode_model(obj: models.Model, seen: dict) -> dict:
    # A row met twice in one receipt (the period of the balance and of the receipt) is stored once.
    key = (obj._meta.label, obj.pk)
    if obj.pk is not None and key in seen:
        return {"$ref": seen[key]}
    ref = seen[key] = len(seen)
    related = {name: _encode(cached, seen) for name, cached in obj._state.fields_cache.items()}
    fields = {f.attname: _encode(f.value_from_object(obj), seen) for f in obj._meta.concrete_fields}
    return {"$m": obj._meta.label, "id": ref, "f": fields, "rel": related}


def _decode(value, organisation: Organisation, seen: dict):
    if isinstance(value, list):
        return [_decode(v, organisation, seen) for v in value]
    if not isinstance(value, dict):
        return value
    if "$d" in value:
        return Decimal(value["$d"])
    if "$date" in value:
        return dt.date.fromisoformat(value["$date"])
    if "$dt" in value:
        return dt.datetime.fromisoformat(value["$dt"])
    if "$payee" in value:
        return organisation
    if "$ref" in value:
        return seen[value["$ref"]]
    if "$map" in value:
        return {_decode(k, organisation, seen): _decode(v, organisation, seen) for k, v in value["$map"]}
    if "$m" in value:
        obj = seen[value["id"]] = _model(apps.get_model(value["$m"]), value["f"])
        for name, cached in value["rel"].items():
            obj._state.fields_cache[name] = _decode(cached, organisation, seen)
        return obj
    if "$dc" in value:
        module, _, name = value["$dc"].rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        return cls(**{k: _decode(v, organisation, seen) for k, v in value["f"].items()})
    raise ValueError(f"Неизвестная запись в документе квитанции: {sorted(value)}")


def _model(cls: type[models.Model], fields: dict) -> models.Model:
    """An instance as stored; never saved (its row in the database may have changed since)."""
    by_attname = {f.attname: f for f in cls._meta.concrete_fields}
    values = {}
    for attname, raw in fields.items():
        field = by_attname.get(attname)
        if field is not None:  # a field dropped since the receipt was issued is not shown
            values[attname] = _decode(raw, None, {}) if isinstance(raw, dict) else raw
    obj = cls(**values)
    obj._state.adding = False
    return obj
