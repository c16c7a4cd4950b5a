"""Reads for the public pages: organisations and their tariffs, in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from abonent.billing.models import Norm, Service, Tariff
from abonent.orgs.models import Organisation


def organisations_with_notice() -> list[Organisation]:
    return list(Organisation.objects.exclude(notice="").order_by("short_name", "pk"))


@dataclass
class TariffRow:
    service: Service
    current: Tariff | None
    upcoming: Tariff | None
    norm: Norm | None


@dataclass
class TariffBoard:
    organisation: Organisation
    today: dt.date
    rows: list[TariffRow] = field(default_factory=list)


def _pick(values, today: dt.date):
    """The value valid on `today` and the first one that starts after it (already entered by the operator)."""
    current = next((v for v in values if v.is_valid_on(today)), None)
    later = sorted((v for v in values if v.valid_from > today), key=lambda v: v.valid_from)
    return current, (later[0] if later else None)


def tariff_boards(organisations: list[Organisation]) -> list[TariffBoard]:
    """Per organisation, its active services with the tariff valid on its local today and the next one.

    Four queries whatever the number of services or the length of tariff history: past tariffs that ended
    before the earliest of the organisations' todays are never loaded.
    """
    if not organisations:
        return []
    todays = {org.pk: org.today() for org in organisations}
    earliest = min(todays.values())
    not_ended = Q(valid_to__isnull=True) | Q(valid_to__gte=earliest)
    services = (
        Service.objects.filter(organisation__in=organisations, is_active=True)
        .order_by("organisation_id", "sort_order", "name", "pk")
        .prefetch_related(
            Prefetch("tariffs", queryset=Tariff.objects.filter(not_ended).order_by("valid_from")),
            Prefetch("norms", queryset=Norm.objects.filter(not_ended).order_by("valid_from")),
        )
    )
    boards = {org.pk: TariffBoard(organisation=org, today=todays[org.pk]) for org in organisations}
    for service in services:
        board = boards[service.organisation_id]
        service.organisation = board.organisation  # no extra query when a template names it
        current, upcoming = _pick(service.tariffs.all(), board.today)
        if current is None and upcoming is None:
            continue  # a service with no tariff now or ahead says nothing useful to a subscriber
        norm, _ = _pick(service.norms.all(), board.today)
        board.rows.append(TariffRow(service=service, current=current, upcoming=upcoming, norm=norm))
    return [boards[org.pk] for org in organisations]
