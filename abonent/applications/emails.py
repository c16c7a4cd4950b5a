"""Letters to applicants: not optional (an applicant has no settings to turn them off, often no login yet), sent
after the commit that decided, robust like the other letters: a mail server that fails loses a letter, never the
operator's decision."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from abonent.lib.site import site_url


def send(*, to: str, template: str, context: dict) -> None:
    """applications/email/<template>_{subject,body}.{txt,html} to `to`, on commit."""
    context = {"SITE_NAME": "Абонент", "SITE_URL": site_url(), **context}
    prefix = f"applications/email/{template}"
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject, render_to_string(f"{prefix}_body.txt", context), settings.DEFAULT_FROM_EMAIL, [to]
    )
    message.attach_alternative(render_to_string(f"{prefix}_body.html", context), "text/html")
    transaction.on_commit(message.send, robust=True)
