"""Log in by account number, user name or e-mail, each with the password."""

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
