"""The daily reconciliation of a provider's payments against ours: a payment the provider took that we have not
credited (missing here), one we credited that the provider does not list (missing there), and one whose amounts
differ. Its result is a Reconciliation row, shown in the back office; rerunning a day replaces that day's row."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from abonent.lib.numbers import money

from . import providers
from .models import Payment, Reconciliation


def _window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The day in the site's time zone, as the provider's created_at filter takes it."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _ours(provider_name: str, start: dt.datetime, end: dt.datetime) -> dict[str, Decimal]:
    """Our credited payments of the provider started in the window, by provider payment id (one provider
    payment may pay several accounts)."""
    rows = (
        Payment.objects.filter(provider=provider_name, status=Payment.Status.CREDITED, created_at__gte=start)
        .filter(created_at__lt=end)
        .exclude(provider_payment_id="")
        .values("provider_payment_id")
        .annotate(total=Sum("amount"))
    )
    return {r["provider_payment_id"]: Decimal(r["total"]).quantize(Decimal("0.01")) for r in rows}


def compare(theirs: dict[str, Decimal], ours: dict[str, Decimal]) -> tuple[list, list, list]:
    """(missing here, missing at the provider, amount mismatches): plain arithmetic, tested on its own."""
    missing_ours = [{"id": k, "amount": str(v)} for k, v in sorted(theirs.items()) if k not in ours]
    missing_provider = [{"id": k, "amount": str(v)} for k, v in sorted(ours.items()) if k not in theirs]
    mismatches = [
        {"id": k, "provider": str(theirs[k]), "ours": str(ours[k]), "text": f"{money(theirs[k])} ≠ {money(ours[k])}"}
        for k in sorted(theirs.keys() & ours.keys())
        if theirs[k] != ours[k]
    ]
    return missing_ours, missing_provider, mismatches


def reconcile(*, day: dt.date, provider_name: str | None = None) -> Reconciliation:
    name = provider_name or providers.provider_name()
    start, end = _window(day)
    listed = providers.get_provider(name).payments_of_day(start, end)
    theirs = {p.provider_payment_id: p.amount for p in listed}
    ours = _ours(name, start, end)
    missing_ours, missing_provider, mismatches = compare(theirs, ours)
    with transaction.atomic():
        Reconciliation.objects.filter(provider=name, day=day).delete()
        return Reconciliation.objects.create(
            provider=name,
            day=day,
            provider_count=len(theirs),
            our_count=len(ours),
            missing_ours=missing_ours,
            missing_provider=missing_provider,
            mismatches=mismatches,
        )


def reconcile_yesterday() -> Reconciliation:
    """The scheduled job: the day before today (the provider's list of a day is complete the next morning)."""
    return reconcile(day=timezone.localdate() - dt.timedelta(days=1))
