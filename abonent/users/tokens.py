"""One-time links. Each token hashes the state its use changes, so a used link stops working; all expire
after settings.PASSWORD_RESET_TIMEOUT (24 hours)."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

# Set a password (after registration by receipt, or "Забыли пароль?"): the password hash changes on use.
password_token = default_token_generator


class EmailConfirmTokenGenerator(PasswordResetTokenGenerator):
    """Confirms the address of a user registered by user name: activation flips is_active, ending the link."""

    key_salt = "abonent.users.tokens.EmailConfirmTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.is_active}{user.email}{timestamp}"


email_confirm_token = EmailConfirmTokenGenerator()


def uid_encode(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def uid_decode(uidb64: str) -> int | None:
    try:
        return int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
