"""Reading reminders: when the window opens, and two days before it closes, to those who have not sent yet.

Each (user, account, period, kind) is claimed by inserting its ReadingReminder row before the e-mail goes: two
runs at once, or a run repeated, send it once. A failed send gives the claim back so the next run retries.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from abonent.lib.site import site_url
from abonent.notifications.models import Kind as NotificationKind
from abonent.notifications.selectors import opted_out_user_ids
from abonent.notifications.services import unsubscribe_url
from abonent.orgs.dates import month_start
from abonent.orgs.models import Organisation
from abonent.users.models import AccountLink

from .models import Meter, Reading, ReadingReminder
from .window import readings_window

logger = logging.getLogger(__name__)
CLOSING_DAYS_BEFORE = 2
# Each reminder is also a kind of the notifications settings, which a user can turn off from any e-mail's link.
NOTIFICATION_KIND = {
    ReadingReminder.Kind.OPENS: NotificationKind.READINGS_OPENS,
    ReadingReminder.Kind.CLOSES: NotificationKind.READINGS_CLOSES,
}


def due_kind(organisation: Organisation, today: dt.date) -> str | None:
    """Which reminder is due today: "opens" inside the window before the closing reminder's day, then "closes"."""
    first, last = readings_window(organisation, month_start(today))
    if not first <= today <= last:
        return None
    if today >= last - dt.timedelta(days=CLOSING_DAYS_BEFORE):
        return ReadingReminder.Kind.CLOSES
    return ReadingReminder.Kind.OPENS


def recipients(organisation: Organisation, period: dt.date, today: dt.date, kind: str | None = None):
    """Links of users with an e-mail to open accounts that have a working meter without a reading this period;
    with `kind`, less the users who turned that kind off in their notification settings (as `wants` would)."""
    unsent_meter = Meter.objects.filter(
        premises_id=OuterRef("account__premises_id"),
        status=Meter.Status.ACTIVE,
        verification_due__gte=today,
        installed_on__lte=today,
    ).exclude(
        Exists(
            Reading.objects.filter(meter_id=OuterRef("pk"), period=period, is_current=True).exclude(
                status=Reading.Status.REJECTED
            )
        )
    )
    links = (
        AccountLink.objects.filter(
            account__organisation=organisation,
            account__closed_on__isnull=True,
            user__is_active=True,
        )
        .exclude(user__email="")
        .exclude(user__reading_reminder_preference__enabled=False)  # the user's setting; no row = on
        .filter(Exists(unsent_meter))
        .select_related("user", "account__premises__building")
        .order_by("pk")
    )
    if kind is not None:
        links = links.exclude(user_id__in=opted_out_user_ids(NOTIFICATION_KIND[kind]))
    return links


def send_one(link, *, organisation, period, kind, today) -> bool:
    try:
        with transaction.atomic():
            claim = ReadingReminder.objects.create(
                user_id=link.user_id, account_id=link.account_id, period=period, kind=kind, claimed_at=timezone.now()
            )
    except IntegrityError:
        return False  # already sent (or being sent by another run)
    first, last = readings_window(organisation, period)
    context = {
        "kind": kind,
        "account": link.account,
        "organisation": organisation,
        "period": period,
        "first": first,
        "last": last,
        "days_left": (last - today).days + 1,
        "url": site_url() + reverse("metering:readings", args=[link.account_id]),
        "settings_url": site_url() + reverse("metering:reminder_settings"),
        "unsubscribe_url": unsubscribe_url(link.user, NOTIFICATION_KIND[kind]),
    }
    subject = " ".join(render_to_string("metering/emails/reading_reminder_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject,
        render_to_string("metering/emails/reading_reminder_body.txt", context),
        to=[link.user.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("metering/emails/reading_reminder_body.html", context), "text/html")
    try:
        message.send()
    except Exception:
        logger.exception("reading reminder to user %s failed; the claim is given back", link.user_id)
        claim.delete()
        return False
    return True


def reading_reminders_send(*, organisation: Organisation) -> int:
    """Send the reminders due today in the organisation's time zone; returns how many went out."""
    today = organisation.today()
    kind = due_kind(organisation, today)
    if kind is None:
        return 0
    period = month_start(today)
    sent = 0
    for link in recipients(organisation, period, today, kind).iterator(chunk_size=2000):
        sent += send_one(link, organisation=organisation, period=period, kind=kind, today=today)
    return sent
