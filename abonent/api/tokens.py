"""Personal access tokens and organisation keys: made, shown once, stored as a digest, revoked at once.

A token is "abt_" (a resident's) or "abk_" (an organisation's) and 32 random bytes; the database holds only
its SHA-256. Revoking sets revoked_at. With a cache every process shares (Redis, settings.SHARED_CACHE) a resident's
live token is kept there by its digest, with its user, in one entry (one round trip: the API's most frequent query,
asked by apps on every request). Revoking, any save or deletion of the row, and any save or deletion of its user
(deactivation, a new password, rights) delete that entry before they return, so every worker refuses the token
from the very next request. Without a shared cache every request reads the row, as a worker's local copy would outlive a
revocation made in another."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from abonent.lib.inputs import clean_text

from .models import AccessToken, OrgApiKey, OrgScope, Scope

RESIDENT_PREFIX = "abt_"
ORG_PREFIX = "abk_"
MAX_TOKENS = 20  # a person has a phone, a tablet, a home server: twenty is plenty, thousands is a script gone wrong
TOUCH_EVERY = dt.timedelta(minutes=5)  # last_used_at is a hint for the profile page, not a write per request
CACHE_SECONDS = 300  # at most this long after a change that bypassed save() (a bulk update) — none of ours does


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
    """Revoked from this moment, in every process; revoking twice changes nothing."""
    AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    cache.delete(_cache_key(token.digest))


def _cache_key(token_digest: str) -> str:
    return f"api:token:{token_digest}"


@receiver([post_save, post_delete], sender=AccessToken, dispatch_uid="api.token_changed")
def _token_changed(sender, instance, **kwargs):
    cache.delete(_cache_key(instance.digest))


@receiver([post_save, post_delete], sender=settings.AUTH_USER_MODEL, dispatch_uid="api.token_user_changed")
def _user_changed(sender, instance, **kwargs):
    if getattr(settings, "SHARED_CACHE", False):  # the cached tokens carry the user: its copy must not outlive it
        digests = AccessToken.objects.filter(user_id=instance.pk).values_list("digest", flat=True)
        cache.delete_many([_cache_key(d) for d in digests])


def _live_row(token_digest: str) -> AccessToken | None:
    """The live token's row with its active user: from the shared cache, or the database (then kept there)."""
    shared = getattr(settings, "SHARED_CACHE", False)
    token = cache.get(_cache_key(token_digest)) if shared else None
    fresh = token is None
    if fresh:
        live = AccessToken.objects.select_related("user").filter(revoked_at__isnull=True, user__is_active=True)
        token = live.filter(digest=token_digest).first()
        if token is None:
            return None
    touched = _touch(token)
    if shared and (fresh or touched):
        cache.set(_cache_key(token_digest), token, CACHE_SECONDS)
    return token


def active_token(raw: str) -> AccessToken | None:
    """The live token (with its user) for what the client sent; None for a revoked, unknown or malformed one, or
    one whose user is deactivated or deleted."""
    if not raw.startswith(RESIDENT_PREFIX) or len(raw) > 100:
        return None
    return _live_row(digest(raw))


def _touch(token: AccessToken) -> bool:
    """Stamp last_used_at when it is older than TOUCH_EVERY; True when it did."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at <= TOUCH_EVERY:
        return False
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return True


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
