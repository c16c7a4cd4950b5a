"""Reads for the subscriber's pages: each names its user, so someone else's row is simply not found (404)."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from abonent.orgs.models import Organisation

from .models import Appeal, AppealMessage, Attachment, PaidService, PaidServiceRequest


def appeals_of(user) -> QuerySet[Appeal]:
    return Appeal.objects.filter(author=user).select_related("account", "organisation").order_by("-created_at", "-id")


def appeal_of(user, appeal_id: int) -> Appeal:
    """The user's own appeal with its public messages and their attachments; 404 for anyone else's."""
    public = (
        AppealMessage.objects.exclude(kind=AppealMessage.Kind.NOTE)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    return get_object_or_404(
        Appeal.objects.filter(author=user)
        .select_related("account__premises__building", "organisation")
        .prefetch_related(Prefetch("messages", queryset=public, to_attr="public_messages")),
        pk=appeal_id,
    )


def attachment_for(user, attachment_id: int) -> Attachment:
    """An attachment its author may download, or an operator of the appeal's organisation; 404 otherwise."""
    attachment = get_object_or_404(Attachment.objects.select_related("appeal"), pk=attachment_id)
    appeal = attachment.appeal
    if appeal.author_id == user.pk:
        return attachment
    if user.is_active and user.is_staff and (user.is_superuser or user.organisation_id == appeal.organisation_id):
        return attachment
    raise Http404


def catalogue_for(user) -> list[tuple[Organisation, list[PaidService]]]:
    """Active paid services of the organisations of the user's accounts, grouped by organisation."""
    services = (
        PaidService.objects.filter(organisation__accounts__user_links__user=user, is_active=True)
        .select_related("organisation")
        .distinct()
        .order_by("organisation__short_name", "organisation_id", "sort_order", "name")
    )
    grouped: dict[int, tuple[Organisation, list[PaidService]]] = {}
    for service in services:
        grouped.setdefault(service.organisation_id, (service.organisation, []))[1].append(service)
    return list(grouped.values())


def requests_of(user) -> QuerySet[PaidServiceRequest]:
    return (
        PaidServiceRequest.objects.filter(author=user)
        .select_related("service", "account", "organisation")
        .order_by("-created_at", "-id")
    )


def request_of(user, request_id: int) -> PaidServiceRequest:
    return get_object_or_404(requests_of(user), pk=request_id)
