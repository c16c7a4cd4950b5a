"""Log in by account number, user name or e-mail, each with the password."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend

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


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out check, skipped when there is no request (the shell, the test client's login()):
    lock-out counts failures of logins over the web, and those always come with a request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
