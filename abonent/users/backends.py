"""Log in by account number, user name or e-mail, each with the password; the logged-in user read from the
shared cache."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import selectors


class LoginBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        """Exactly one password hash whatever was typed: a known login with a wrong password, an unknown one,
        an e-mail or an account number cost the same, so timing does not tell which logins exist (a user
        without a usable password hashes once too, in check_password)."""
        if not username or not password:
            return None
        users = selectors.users_for_login(username)
        if len(users) != 1:
            get_user_model()().set_password(password)
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The user of a session, from the shared cache (Redis) when there is one: every page asked the database
        for it, the largest part of a cached page's cost (bench/pages.py). The copy is dropped whenever the user
        is saved or deleted (password, rights, deactivation: all go through save), and kept 5 minutes at most
        in case a change ever bypasses save(). Not with local memory: a save in one worker would not reach the
        others."""
        if not getattr(settings, "SHARED_CACHE", False):
            return super().get_user(user_id)
        key = _cache_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache.set(key, user, USER_CACHE_SECONDS)
        return user


USER_CACHE_SECONDS = 300


def _cache_key(user_id) -> str:
    return f"users:session-user:{user_id}"


@receiver([post_save, post_delete], sender=settings.AUTH_USER_MODEL, dispatch_uid="users.session_user_changed")
def session_user_changed(sender, instance, **kwargs):
    cache.delete(_cache_key(instance.pk))
