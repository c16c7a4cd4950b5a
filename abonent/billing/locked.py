"""Locked reference data: a tariff, норматив or service that a published period was charged by stays as it was.

A published receipt says "30,51 ₽ за м³"; if the tariff row could become 99,99 the register would contradict every
receipt issued by it, and a recalculation of that month would use a price nobody was charged. So a row used by a
published period cannot be deleted, nor its value, service or start changed. Its end may move, as long as it
still covers every published month it was used in: that is how a new dated row is added after it. A correction of
a published month is a recalculation in the open period (recalculations.py).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from abonent.orgs.dates import month_end, month_label, month_start

from .models import FAR_FUTURE, BillingPeriod, Charge, Norm, Service, Tariff

PUBLISHED = BillingPeriod.State.PUBLISHED
ADVICE = "добавьте новую строку с датой начала или сделайте перерасчёт."
# What a published charge depends on; the order in the receipt and whether the service is still charged do not.
SERVICE_FIELDS = (
    "organisation_id",
    "code",
    "name",
    "unit",
    "method",
    "resource",
    "multiplying_factor_applies",
    "common_house_capped",
)
WHAT = {Tariff: "Тариф использован", Norm: "Норматив использован", Service: "Услуга использована"}


def _published_charges(service_id: int):
    return Charge.objects.filter(service_id=service_id, period__state=PUBLISHED)


def _last_month_used(row: Tariff | Norm):
    """The last published month the row (as it is in the database) was in force in and charged by, or None."""
    charges = _published_charges(row.service_id).filter(period__month__gte=month_start(row.valid_from))
    charges = charges.filter(period__month__lte=row.valid_to or FAR_FUTURE)
    return charges.order_by("-period__month").values_list("period__month", flat=True).first()


def _message(row, month) -> str:
    return (
        f"{WHAT[type(row)]} в опубликованном периоде {month_label(month)}: его нельзя изменить или удалить — {ADVICE}"
    )


def dated_value_refusal(row: Tariff | Norm, *, deleting: bool = False) -> str | None:
    """Why this change (or the deletion) of a tariff or norm row is refused, or None when it is allowed."""
    if row.pk is None:
        return None
    old = type(row).objects.filter(pk=row.pk).first()
    if old is None:
        return None
    used = _last_month_used(old)
    if used is None:
        return None
    if deleting:
        return _message(old, used)
    fields = (
        ("service_id", "valid_from", "price")
        if isinstance(row, Tariff)
        else ("service_id", "valid_from", "value", "basis")
    )
    changed = any(getattr(old, f) != getattr(row, f) for f in fields)
    # The end may move, not into a month already published with this row: that is how a new row is added.
    if changed or (row.valid_to is not None and row.valid_to < month_end(used)):
        return _message(old, used)
    return None


def service_refusal(service: Service, *, deleting: bool = False) -> str | None:
    """Why this change (or the deletion) of a service is refused, or None when it is allowed."""
    if service.pk is None:
        return None
    old = Service.objects.filter(pk=service.pk).first()
    if old is None:
        return None
    changed = deleting or any(getattr(old, f) != getattr(service, f) for f in SERVICE_FIELDS)
    if not changed:
        return None
    used = _published_charges(service.pk).order_by("-period__month").values_list("period__month", flat=True).first()
    if used is None:
        return None
    return (
        f"Услуга использована в опубликованном периоде {month_label(used)}: её нельзя удалить, а наименование, "
        f"единицу и способ расчёта — изменить; заведите новую услугу или сделайте перерасчёт."
    )


def refusal(obj, *, deleting: bool = False) -> str | None:
    if isinstance(obj, Service):
        return service_refusal(obj, deleting=deleting)
    return dated_value_refusal(obj, deleting=deleting)


def refuse(obj, *, deleting: bool = False) -> None:
    """The guard of a save or delete of a locked row: a ValidationError with the Russian reason."""
    message = refusal(obj, deleting=deleting)
    if message:
        raise ValidationError(message)
