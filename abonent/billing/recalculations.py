"""An operator's перерасчёт: a correction of an earlier month, booked in the first period not yet published."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from abonent.housing.models import PersonalAccount
from abonent.metering.models import Resource
from abonent.orgs.dates import add_months, month_label, month_start
from abonent.orgs.models import Organisation

from . import calculations as calc
from .errors import BillingError
from .in_force import in_force, month_days
from .ledger import account_balances_refresh
from .models import BillingPeriod, Recalculation, Service, Tariff

State = BillingPeriod.State


def _unpublished_period(organisation: Organisation) -> BillingPeriod:
    """Where a correction made today is booked: this month's period, or the next one once it is published."""
    month = month_start(organisation.today())
    while True:
        period, _ = BillingPeriod.objects.get_or_create(organisation=organisation, month=month)
        if period.state != State.PUBLISHED:
            return period
        month = add_months(month, 1)


def recalculation_create(
    *,
    account: PersonalAccount,
    corrected_period: BillingPeriod,
    reason: str,
    amount: Decimal | None = None,
    volume: Decimal | None = None,
    service: Service | None = None,
    period: BillingPeriod | None = None,
    actor=None,
) -> Recalculation:
    """An operator's перерасчёт: a signed amount, or a volume valued at the corrected period's tariffs (split by
    days where the tariff changed within the month). A volume of water takes the sewerage charged that month with
    it, by the same volume (sewerage = cold + hot water)."""
    if not reason.strip():
        raise BillingError("Укажите основание перерасчёта.")
    if (amount is None) == (volume is None):
        raise BillingError("Укажите либо сумму, либо объём перерасчёта.")
    with transaction.atomic():
        booked = period or _unpublished_period(account.organisation)
        booked = BillingPeriod.objects.select_for_update().get(pk=booked.pk)
        if booked.state == State.PUBLISHED:
            raise BillingError(f"Период {month_label(booked.month)} опубликован: перерасчёт — в следующем периоде.")
        if volume is not None:
            if service is None:
                raise BillingError("Для перерасчёта объёма укажите услугу.")
            amount = _valued(account, service, corrected_period.month, Decimal(volume))
        recalculation = Recalculation.objects.create(
            account=account,
            period=booked,
            corrected_period=corrected_period,
            service=service,
            kind=Recalculation.Kind.OPERATOR,
            volume=volume,
            amount=calc.round_money(Decimal(amount)),
            reason=reason.strip(),
            created_by=actor,
        )
        if volume is not None and service.resource in (Resource.COLD_WATER, Resource.HOT_WATER):
            _sewerage_follows(recalculation, Decimal(volume))
        account_balances_refresh(account, booked.month)
    return recalculation


def _valued(account: PersonalAccount, service: Service, month, volume: Decimal) -> Decimal:
    """The volume at the month's tariffs as its line was charged: split by the days at each tariff."""
    served = month_days(account.organisation, month, [service]).of(account.pk, service.pk)
    if served is not None and served.days:
        return calc.round_money(volume * served.rate / served.days)
    tariff = in_force(Tariff, [service], month).get(service.pk)
    if tariff is None:
        raise BillingError(f"Нет тарифа услуги «{service}» за {month_label(month)}.")
    return calc.round_money(volume * tariff.price)


def _sewerage_follows(water: Recalculation, volume: Decimal) -> None:
    """The sewerage the account was charged in the corrected month, recalculated by the same volume."""
    sewerage = Service.objects.filter(
        charges__account=water.account, charges__period=water.corrected_period, method=Service.Method.SEWERAGE
    ).distinct()
    for sewer in sewerage.order_by("pk"):
        Recalculation.objects.create(
            account=water.account,
            period=water.period,
            corrected_period=water.corrected_period,
            service=sewer,
            kind=Recalculation.Kind.OPERATOR,
            volume=volume,
            amount=_valued(water.account, sewer, water.corrected_period.month, volume),
            reason=f"{sewer.name} вслед за «{water.service.name}»: {water.reason}"[:300],
            created_by=water.created_by,
        )
