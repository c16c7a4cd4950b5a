"""Who may see and touch an appeal, its attachments and a paid-service request.

The subscriber side: only the author, on the cabinet's pages; anyone else's appeal, file or request answers 404,
exactly like one that does not exist. The operator side: an active staff member of the appeal's (request's)
organisation, or a superuser (orgs.access). Accounts an appeal or a request is written about come from
users.access. Every view and service of the support app asks here.
"""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from abonent.lib.inputs import parse_id
from abonent.orgs.access import is_operator_of, is_staff_of

from .models import Appeal, AppealMessage, Attachment, PaidServiceRequest


def own_appeals(user) -> QuerySet[Appeal]:
    return Appeal.objects.filter(author=user)


def own_requests(user) -> QuerySet[PaidServiceRequest]:
    return PaidServiceRequest.objects.filter(author=user)


def _found(queryset, object_id):
    """The row with the id, or 404 for a missing one, someone else's or a value that is no id."""
    found = queryset.filter(pk=parse_id(object_id)).first() if parse_id(object_id) is not None else None
    if found is None:
        raise Http404
    return found


def appeal_for_subscriber(user, appeal_id) -> Appeal:
    """The user's own appeal with its public messages (internal notes left out) and their attachments."""
    public = (
        AppealMessage.objects.exclude(kind=AppealMessage.Kind.NOTE)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    appeals = (
        own_appeals(user)
        .select_related("account__premises__building", "organisation")
        .prefetch_related(Prefetch("messages", queryset=public, to_attr="public_messages"))
    )
    return _found(appeals, appeal_id)


def request_for_subscriber(user, request_id) -> PaidServiceRequest:
    return _found(own_requests(user).select_related("service", "account", "organisation"), request_id)


def attachment_for(user, attachment_id) -> Attachment:
    """An attachment the appeal's author may download, or an operator of the appeal's organisation."""
    attachment = _found(Attachment.objects.select_related("appeal"), attachment_id)
    if is_author(user, attachment.appeal) or is_operator(user, attachment.appeal):
        return attachment
    raise Http404


def is_author(user, item: Appeal | PaidServiceRequest) -> bool:
    """The subscriber who wrote the appeal (request): the only one who writes to it, or withdraws it, from the
    cabinet."""
    return item.author_id == user.pk


def is_operator(user, item: Appeal | PaidServiceRequest) -> bool:
    """An operator of the organisation the appeal (request) is addressed to."""
    return is_operator_of(user, item.organisation_id)


def may_be_assigned(assignee, item: Appeal | PaidServiceRequest) -> bool:
    """Whom an appeal (request) may be given to: a staff member of its organisation."""
    return is_staff_of(assignee, item.organisation_id)
