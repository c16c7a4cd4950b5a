"""What is in force for a month: the tariff and норматив of each service, and the services an account does not
receive. Both engines (the Python one and the SQL close) and the operator's recalculations read them from here."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from abonent.orgs.dates import month_end
from abonent.orgs.models import Organisation

from . import calculations as calc
from .models import AccountServiceOff, Service


def in_force(model, services: list[Service], month: dt.date) -> dict[int, object]:
    """The tariff (or норматив) of each service valid in the month: the latest one that starts by its end."""
    rows = (
        model.objects.filter(service__in=services, valid_from__lte=month_end(month))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month))
        .order_by("service_id", "valid_from")
    )
    return {row.service_id: row for row in rows}


def services_off(org: Organisation, month: dt.date, services: list[Service]) -> set[tuple[int, int]]:
    """The (account, service) pairs the month does not charge: rows of «услуга не оказывается» that touch the
    month (calculations.service_off_in_month, as a query), with the common-house needs of a resource the account
    does not receive (calculations.services_off_with_common). Both engines take this set."""
    rows = (
        AccountServiceOff.objects.filter(account__organisation=org, service__in=services, since__lte=month_end(month))
        .filter(Q(until__isnull=True) | Q(until__gte=month))
        .values_list("account_id", "service_id")
    )
    return calc.services_off_with_common(rows, [(s.pk, s.method, s.resource) for s in services])
