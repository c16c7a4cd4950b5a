"""Organisations read from the shared cache (Redis): the busiest requests (a subscriber sending readings) need
the organisation's time zone and readings window, which change a few times a year. The copy is dropped when
the organisation is saved or deleted, and kept 5 minutes at most. Without a shared cache (settings.SHARED_CACHE)
every call reads the database: a save in one worker would not reach the others' local memory."""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Organisation

SECONDS = 300


def organisation(pk: int) -> Organisation:
    if not getattr(settings, "SHARED_CACHE", False):
        return Organisation.objects.get(pk=pk)
    key = _key(pk)
    found = cache.get(key)
    if found is None:
        found = Organisation.objects.get(pk=pk)
        cache.set(key, found, SECONDS)
    return found


def _key(pk: int) -> str:
    return f"orgs:organisation:{pk}"


@receiver([post_save, post_delete], sender=Organisation, dispatch_uid="orgs.cached.organisation_changed")
def organisation_changed(sender, instance, **kwargs):
    cache.delete(_key(instance.pk))
