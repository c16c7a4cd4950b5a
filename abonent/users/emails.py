"""E-mails as template triples (subject / text / HTML) under templates/users/email/, sent on commit."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

log = logging.getLogger(__name__)


def send(*, to: str, template: str, context: dict) -> None:
    """Send users/email/<template>_{subject,body}.{txt,html} after the current transaction commits."""
    context = {"SITE_NAME": "Абонент", **context}
    subject = render_to_string(f"users/email/{template}_subject.txt", context).strip()
    text = render_to_string(f"users/email/{template}_body.txt", context)
    html = render_to_string(f"users/email/{template}_body.html", context)

    def _send():
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
        message.attach_alternative(html, "text/html")
        message.send()
        if settings.DEBUG and context.get("link"):
            # `make run` writes mail to files; the link on the console saves opening them.
            print(f"[e-mail to {to}] {subject}: {context['link']}", flush=True)

    transaction.on_commit(_send)
