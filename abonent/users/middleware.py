"""A subscriber with an operator-issued temporary password sets a new one before anything else (seed 000)."""

from django.shortcuts import redirect
from django.urls import reverse

# Paths a user who must change the password may still reach: the change page itself, logging out, assets.
ALLOWED_PREFIXES = ("/password/change/", "/logout/", "/static/", "/captcha/", "/consent/")


class MustChangePasswordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            return redirect(reverse("users:password_change_forced"))
        return self.get_response(request)
