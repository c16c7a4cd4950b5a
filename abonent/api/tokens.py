"""Personal access tokens and organisation keys: made, shown once, stored as a digest, revoked at once.

A token is "abt_" (a resident's) or "abk_" (an organisation's) and 32 random bytes; the database holds only
its SHA-256. Revoking sets revoked_at, and every request reads the row (no cache), so a revoked token is refused
from the very next request."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from abonent.lib.inputs import clean_text

from .models import AccessToken, OrgApiKey, OrgScope, Scope

RESIDENT_PREFIX = "abt_"
ORG_PREFIX = "abk_"
MAX_TOKENS = 20  # a person has a phone, a tablet, a home server: twenty is plenty, thousands is a script gone wrong
TOUCH_EVERY = dt.timedelta(minutes=5)  # last_used_at is a hint for the profile page, not a write per request


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def _new(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_create(*, user, name: str, scope: str) -> tuple[AccessToken, str]:
    """A new token of `user`; returns the row and the token itself, which is never shown again."""
    name = clean_text(name, 100, field="name")
    if not name:
        raise ValidationError({"name": ["Назовите токен, например «Умный дом»."]})
    if scope not in Scope.values:
        raise ValidationError({"scope": ["Права токена: только чтение или чтение и запись."]})
    with transaction.atomic():
        if AccessToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_TOKENS:
            raise ValidationError(f"Действующих токенов не больше {MAX_TOKENS}: отзовите ненужные.")
        raw = _new(RESIDENT_PREFIX)
        token = AccessToken.objects.create(user=user, name=name, scope=scope, prefix=raw[:10], digest=digest(raw))
    return token, raw


def token_revoke(*, token: AccessToken) -> None:
    """Revoked from this moment; revoking twice changes nothing."""
    AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def active_token(raw: str) -> AccessToken | None:
    """The live token (with its user) for what the client sent; None for a revoked, unknown or malformed one."""
    if not raw.startswith(RESIDENT_PREFIX) or len(raw) > 100:
        return None
    token = (
        AccessToken.objects.select_related("user")
        .filter(digest=digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is not None:
        _touch(token)
    return token


def _touch(token: AccessToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)


def key_create(*, organisation, name: str, scopes: list[str], actor) -> tuple[OrgApiKey, str]:
    """A new API key of the organisation (its administrator makes it in the back office)."""
    key = OrgApiKey(organisation=organisation, name=name, scopes=list(scopes))
    return key, new_key_for(key, actor=actor)


def new_key_for(key: OrgApiKey, *, actor) -> str:
    """Fill in a key the back office's form made (organisation, name, scopes) and save it; returns the key itself."""
    unknown = set(key.scopes) - set(OrgScope.values)
    if unknown or not key.scopes:
        raise ValidationError({"scopes": ["Выберите права ключа из списка."]})
    raw = _new(ORG_PREFIX)
    key.prefix, key.digest, key.created_by = raw[:10], digest(raw), actor
    key.save()
    return raw


def active_key(raw: str) -> OrgApiKey | None:
    if not raw.startswith(ORG_PREFIX) or len(raw) > 100:
        return None
    return OrgApiKey.objects.select_related("organisation").filter(digest=digest(raw), revoked_at__isnull=True).first()
