"""Publishing an outage: its houses must be the organisation's own, and the subscribers of those houses get one
e-mail each about it (later edits add letters only for houses added since, never a second one)."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from abonent.notifications.emails import send_optional
from abonent.notifications.models import Kind as NotificationKind
from abonent.notifications.selectors import wants
from abonent.users.models import AccountLink

from .models import Outage, OutageNotice
from .signals import outage_published


def outage_buildings_check(organisation_id: int | None, buildings) -> None:
    """ValidationError (on "buildings") unless every house is served by the outage's organisation."""
    if not buildings:
        raise ValidationError({"buildings": _("Выберите хотя бы один дом.")})
    foreign = [b.address for b in buildings if b.organisation_id != organisation_id]
    if foreign:
        raise ValidationError(
            {"buildings": _("Эти дома обслуживает другая организация: %(list)s.") % {"list": "; ".join(foreign)}}
        )


def _addresses_by_user(outage: Outage) -> dict:
    """Users with an open account in the outage's houses → (user, their addresses there)."""
    links = (
        AccountLink.objects.filter(
            account__premises__building__in=outage.buildings.all(),
            account__closed_on__isnull=True,
            user__is_active=True,
        )
        .exclude(user__in=OutageNotice.objects.filter(outage=outage).values("user"))
        .select_related("user", "account__premises__building")
        .order_by("user_id", "account__premises__building__address")
    )
    found = defaultdict(list)
    users = {}
    for link in links:
        users[link.user_id] = link.user
        address = link.account.premises.address
        if address not in found[link.user_id]:
            found[link.user_id].append(address)
    return {pk: (users[pk], addresses) for pk, addresses in found.items()}


def outage_notify(outage: Outage) -> int:
    """Queue the letter (on commit) to each subscriber of the outage's houses not yet told; the number queued.
    An outage already over is news to nobody. Call inside the transaction that saved the outage and its houses."""
    if outage.ends_at <= timezone.now():
        return 0
    outage_published.send(sender=Outage, outage=outage)
    sent = 0
    for user, addresses in _addresses_by_user(outage).values():
        if not wants(user, NotificationKind.OUTAGE):
            continue  # no notice kept: turned back on, the next edit of this outage still tells them
        _, created = OutageNotice.objects.get_or_create(outage=outage, user=user)
        if not created:
            continue  # a concurrent save told them already
        sent += send_optional(
            user=user,
            kind=NotificationKind.OUTAGE,
            template="outages/email/new",
            context={"outage": outage, "organisation": outage.organisation, "addresses": addresses},
        )
    return sent
