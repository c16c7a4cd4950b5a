from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import CabinetApplication, ConnectionApplication, Document


def cabinet_by_token(token: str) -> CabinetApplication:
    return get_object_or_404(CabinetApplication.objects.select_related("organisation"), token=token)


def connection_by_token(token: str) -> ConnectionApplication:
    return get_object_or_404(ConnectionApplication.objects.select_related("organisation"), token=token)


def connections_of(user) -> list[ConnectionApplication]:
    return list(ConnectionApplication.objects.filter(user=user).select_related("organisation"))


def document_for(user, document_id: int) -> Document:
    """A scan only an operator of the application's organisation (or a superuser) may open; 404 for anyone else,
    the applicant too: the documents are theirs already, and a status link may be forwarded."""
    document = get_object_or_404(
        Document.objects.select_related("cabinet_application", "connection_application"), pk=document_id
    )
    if user.is_active and user.is_staff and (user.is_superuser or user.organisation_id == document.organisation_id):
        return document
    raise Http404
