"""Reads of billing for the portal, receipts and the back office: a bounded number of queries each, and for
subscribers only what is published (a calculated but unpublished period is still a draft)."""

from django.db.models import QuerySet

from abonent.housing.models import PersonalAccount

from .models import AccountBalance, BillingPeriod, Charge, Penalty, Recalculation

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
