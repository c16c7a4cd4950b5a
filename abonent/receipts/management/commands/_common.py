import datetime as dt

from django.core.management.base import CommandError

from abonent.billing.models import BillingPeriod
from abonent.orgs.models import Organisation


def period_of(org_code: str, month: str) -> BillingPeriod:
    try:
        org = Organisation.objects.get(code=org_code)
    except Organisation.DoesNotExist as exc:
        raise CommandError(f"Нет организации {org_code}") from exc
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()  # noqa: DTZ007 — a month, no time zone involved
    except ValueError as exc:
        raise CommandError("Период: ГГГГ-ММ") from exc
    period = BillingPeriod.objects.filter(organisation=org, month=first).first()
    if period is None:
        raise CommandError(f"Нет периода {month}")
    return period
