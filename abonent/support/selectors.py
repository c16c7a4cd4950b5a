"""Reads for the subscriber's pages. Who may see what is support.access; these are the lists built on it."""

from django.db.models import QuerySet

from abonent.orgs.models import Organisation
from abonent.users.access import linked_accounts

from . import access
from .models import Appeal, PaidService, PaidServiceRequest


def appeals_of(user) -> QuerySet[Appeal]:
    return access.own_appeals(user).select_related("account", "organisation").order_by("-created_at", "-id")


def catalogue_for(user) -> list[tuple[Organisation, list[PaidService]]]:
    """Active paid services of the organisations of the user's accounts, grouped by organisation."""
    services = (
        PaidService.objects.filter(organisation__accounts__in=linked_accounts(user), is_active=True)
        .select_related("organisation")
        .distinct()
        .order_by("organisation__short_name", "organisation_id", "sort_order", "name")
    )
    grouped: dict[int, tuple[Organisation, list[PaidService]]] = {}
    for service in services:
        grouped.setdefault(service.organisation_id, (service.organisation, []))[1].append(service)
    return list(grouped.values())


def requests_of(user) -> QuerySet[PaidServiceRequest]:
    return access.own_requests(user).select_related("service", "account", "organisation").order_by("-created_at", "-id")
