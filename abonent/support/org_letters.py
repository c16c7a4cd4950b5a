"""Letters to the organisation itself (its e-mail in the register), for what its operators must know before they
next open the back office: a subscriber withdrew a paid-service request. Not optional, sent on commit and robust
like the subscribers' letters: a mail server that fails loses the letter, never the subscriber's cancellation."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from abonent.lib.site import site_url

from .models import PaidServiceRequest


def request_cancelled(request: PaidServiceRequest) -> bool:
    """Tell the request's organisation that its author cancelled it; False when the organisation has no e-mail."""
    to = request.organisation.email
    if not to:
        return False
    context = {
        "request": request,
        "organisation": request.organisation,
        "admin_url": site_url() + reverse("admin:support_paidservicerequest_change", args=[request.pk]),
    }
    prefix = "support/email/paid_request_cancelled"
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject, render_to_string(f"{prefix}_body.txt", context), settings.DEFAULT_FROM_EMAIL, [to]
    )
    message.attach_alternative(render_to_string(f"{prefix}_body.html", context), "text/html")
    transaction.on_commit(message.send, robust=True)
    return True
