"""Turning e-mails on and off, and the signed unsubscribe link every optional e-mail carries."""

from django.core import signing
from django.db import transaction
from django.urls import reverse

from abonent.lib.site import site_url

from .models import CHAT_KINDS, ChatOptOut, Kind, OptOut

SALT = "abonent.notifications.unsubscribe"


def unsubscribe_token(user, kind: str) -> str:
    # Not time-limited: a letter from a year ago must still be able to stop the next one.
    return signing.dumps({"u": user.pk, "k": kind}, salt=SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """(user id, kind) from a token, or None when it was not signed by us or names an unknown kind."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in Kind.values or not isinstance(data.get("u"), int):
        return None
    return data["u"], data["k"]


def unsubscribe_url(user, kind: str, base_url: str | None = None) -> str:
    """An absolute link that turns `kind` off for `user` without logging in."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    base = (base_url or site_url()).rstrip("/")
    return base + reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user, kind)})


def notification_set(*, user, kind: str, enabled: bool) -> None:
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if enabled:
        OptOut.objects.filter(user=user, kind=kind).delete()
    else:
        OptOut.objects.get_or_create(user=user, kind=kind)


@transaction.atomic
def notifications_update(*, user, wanted: set[str]) -> None:
    """Keep exactly the kinds in `wanted` on (the settings page sends the whole set)."""
    for kind in Kind.values:
        notification_set(user=user, kind=kind, enabled=kind in wanted)


@transaction.atomic
def chat_notifications_update(*, user, wanted: set[str]) -> None:
    """Keep exactly the kinds in `wanted` on for the user's messenger chats."""
    for kind in CHAT_KINDS:
        if kind in wanted:
            ChatOptOut.objects.filter(user=user, kind=kind).delete()
        else:
            ChatOptOut.objects.get_or_create(user=user, kind=kind)
