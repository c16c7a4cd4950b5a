"""Who wants which e-mail: other apps ask `wants(user, kind)` before sending an optional letter."""

from .models import CHAT_KINDS, ChatOptOut, Kind, OptOut


def wants(user, kind: str) -> bool:
    """True when the user has an address, is active and has not turned this kind of e-mail off."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not user.is_active or not user.email:
        return False
    return not OptOut.objects.filter(user=user, kind=kind).exists()


def wanted_kinds(user) -> set[str]:
    off = set(OptOut.objects.filter(user=user).values_list("kind", flat=True))
    return {kind for kind in Kind.values if kind not in off}


def opted_out_user_ids(kind: str):
    """The ids of users who turned `kind` off, as a subquery: mailings in sets exclude them in one query."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    return OptOut.objects.filter(kind=kind).values("user_id")


def wanted_chat_kinds(user) -> set[str]:
    off = set(ChatOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return {kind for kind in CHAT_KINDS if kind not in off}


def chat_opted_out_user_ids(kind: str):
    """The ids of users who turned `kind` off for their messenger chats, as a subquery."""
    if kind not in CHAT_KINDS:
        raise ValueError(f"no messenger notice of kind {kind!r}")
    return ChatOptOut.objects.filter(kind=kind).values("user_id")
