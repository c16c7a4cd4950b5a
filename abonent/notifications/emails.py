"""Optional e-mails as template triples (<template>_subject.txt, _body.txt, _body.html), sent on commit, each
with the unsubscribe link in its text and in the List-Unsubscribe header (RFC 8058 one-click)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from abonent.lib.site import site_url

from .selectors import wants
from .services import unsubscribe_url


def optional_message(
    *, user, kind: str, template: str, context: dict, to: str | None = None
) -> EmailMultiAlternatives | None:
    """The e-mail, ready to send, or None when the user turned `kind` off."""
    if not wants(user, kind):
        return None
    link = unsubscribe_url(user, kind)
    context = {"SITE_NAME": "Абонент", "SITE_URL": site_url(), "unsubscribe_url": link, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}_body.txt", context)
    html = render_to_string(f"{template}_body.html", context)
    headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to or user.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def send_optional(*, user, kind: str, template: str, context: dict, to: str | None = None) -> bool:
    """Send on commit unless the user turned `kind` off; True when the e-mail was queued. A send that fails is
    logged and lost (robust): the work it reports has committed, and the other callbacks of that commit, and the
    request, must go on. Mailings that must not lose a letter claim it and send it themselves (payment_due_send,
    receipts_send)."""
    message = optional_message(user=user, kind=kind, template=template, context=context, to=to)
    if message is None:
        return False
    transaction.on_commit(message.send, robust=True)
    return True
