"""Reads of billing for the portal, receipts and the back office: a bounded number of queries each, and for
subscribers only what is published (a calculated but unpublished period is still a draft)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Q, QuerySet

from abonent.housing.models import PersonalAccount
from abonent.orgs.models import Organisation

from .models import AccountBalance, BillingPeriod, Charge, Penalty, Recalculation, Service, Tariff

PUBLISHED = BillingPeriod.State.PUBLISHED


def account_periods(*, account: PersonalAccount, limit: int = 12) -> QuerySet[AccountBalance]:
    """The account's balances of its last `limit` published periods, newest first (one query)."""
    return (
        AccountBalance.objects.filter(account=account, period__state=PUBLISHED)
        .select_related("period")
        .order_by("-period__month")[:limit]
    )


def account_charges(*, account: PersonalAccount, period: BillingPeriod) -> QuerySet[Charge]:
    """The charge lines of a published period, in receipt order, with their services and meters (one query)."""
    return (
        Charge.objects.filter(account=account, period=period, period__state=PUBLISHED)
        .select_related("service", "meter")
        .order_by("service__sort_order", "service__name", "meter_id")
    )


def account_recalculations(*, account: PersonalAccount, period: BillingPeriod) -> QuerySet[Recalculation]:
    return (
        Recalculation.objects.filter(account=account, period=period, period__state=PUBLISHED)
        .select_related("service", "corrected_period")
        .order_by("corrected_period__month", "id")
    )


def account_penalty(*, account: PersonalAccount, period: BillingPeriod) -> Penalty | None:
    return Penalty.objects.filter(account=account, period=period, period__state=PUBLISHED).first()


def last_published_period(*, account: PersonalAccount) -> BillingPeriod | None:
    return (
        BillingPeriod.objects.filter(organisation_id=account.organisation_id, state=PUBLISHED)
        .order_by("-month")
        .first()
    )


def service_prices(
    organisation: Organisation, resources: set[str], day: dt.date
) -> dict[str, tuple[str, Decimal | None]]:
    """resource → (the service's name, its tariff on `day` or None), for the "by meter" services: what the readings
    page shows (registered with metering.prices, which cannot import billing)."""
    services = {
        s.pk: s
        for s in Service.objects.filter(
            organisation=organisation, method=Service.Method.METER, resource__in=resources, is_active=True
        )
    }
    prices = {
        t.service_id: t.price
        for t in Tariff.objects.filter(service_id__in=services, valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )
    }
    result: dict[str, tuple[str, Decimal | None]] = {}
    for service in sorted(services.values(), key=lambda s: (s.sort_order, s.pk)):
        result.setdefault(service.resource, (service.name, prices.get(service.pk)))
    return result
