"""Optional e-mails as template triples (<template>_subject.txt, _body.txt, _body.html), sent on commit, each
with the unsubscribe link in its text and in the List-Unsubscribe header (RFC 8058 one-click)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from .selectors import wants
from .services import unsubscribe_url


def send_optional(*, user, kind: str, template: str, context: dict, to: str | None = None) -> bool:
    """Send unless the user turned `kind` off; True when the e-mail was queued."""
    if not wants(user, kind):
        return False
    link = unsubscribe_url(user, kind)
    context = {"SITE_NAME": "Абонент", "SITE_URL": settings.SITE_URL, "unsubscribe_url": link, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}_body.txt", context)
    html = render_to_string(f"{template}_body.html", context)
    headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}

    def _send():
        message = EmailMultiAlternatives(
            subject, text, settings.DEFAULT_FROM_EMAIL, [to or user.email], headers=headers
        )
        message.attach_alternative(html, "text/html")
        message.send()

    transaction.on_commit(_send)
    return True
