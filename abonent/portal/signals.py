"""What makes a user's cached pages stale besides their accounts' figures (lib.page_cache): the user's own
record (login name, staff rights) and the user's links to accounts."""

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from abonent.lib.page_cache import user_pages_bump
from abonent.users.models import AccountLink


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="portal.pages.user_saved")
def user_saved(sender, instance, created, **kwargs):
    if not created:
        user_pages_bump(instance.pk)


@receiver([post_save, post_delete], sender=AccountLink, dispatch_uid="portal.pages.link_changed")
def link_changed(sender, instance, **kwargs):
    user_pages_bump(instance.user_id)
