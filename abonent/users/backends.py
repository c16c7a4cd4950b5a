"""Log in by account number, user name or e-mail, each with the password; the logged-in user read from the
shared cache."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import selectors


class LoginBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        for user in selectors.users_for_login(username):
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        # Run the hasher once anyway so a missing login takes as long as a wrong password.
        from django.contrib.auth import get_user_model

        get_user_model()().set_password(password)
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


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out check, skipped when there is no request (the shell, the test client's login()):
    lock-out counts failures of logins over the web, and those always come with a request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
