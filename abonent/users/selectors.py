"""Reads the access pages need."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import QuerySet

from abonent.housing.models import PersonalAccount
from abonent.lib.inputs import is_ascii_digits

from . import access
from .models import AccountLink, LoginEvent, User


def users_for_login(login: str) -> list[User]:
    """Who may be meant by what was typed in the login field: user name, e-mail or account number.

    The user name comes first (an account number registered by receipt is the user name); an e-mail or an
    account number counts only when it points to exactly one user, so a family sharing one account logs in by
    its own user names.
    """
    login = (login or "").strip()
    if not login:
        return []
    by_name = list(User.objects.filter(username__iexact=login)[:2])
    if len(by_name) == 1:
        return by_name
    if "@" in login:
        by_email = list(User.objects.filter(email__iexact=login)[:2])
        return by_email if len(by_email) == 1 else []
    if is_ascii_digits(login):
        by_account = list(User.objects.filter(account_links__account__number=login).distinct()[:2])
        return by_account if len(by_account) == 1 else []
    return []


def user_links(user: User) -> QuerySet[AccountLink]:
    """The user's linked accounts with their address and organisation, for the home page and the profile."""
    return (
        access.links_of(user)
        .select_related("account__organisation", "account__premises__building")
        .order_by("account__organisation__short_name", "account__number")
    )


def recent_logins(user: User, limit: int = 10) -> list[LoginEvent]:
    return list(LoginEvent.objects.filter(user=user).order_by("-at", "-id")[:limit])


def accounts_by_number(number: str) -> QuerySet[PersonalAccount]:
    return PersonalAccount.objects.filter(number=number).select_related("organisation", "premises__building")


# Seed 004 proves an account by its last payment, but payments are the payments app's, which builds on users (the
# apps import downwards only). So payments registers its reader here from its AppConfig.ready() rather than users
# importing it; a setting naming the function would only hide the same upward import. Without a reader no account
# has a last payment, and the activation code remains the proof.
LastPayment = Callable[[PersonalAccount], tuple[dt.date, Decimal] | None]
_last_payment_reader: LastPayment | None = None


def register_last_payment_reader(reader: LastPayment) -> None:
    global _last_payment_reader
    _last_payment_reader = reader


def last_payment_of(account: PersonalAccount) -> tuple[dt.date, Decimal] | None:
    """Date and amount of the account's last credited payment, the proof seed 004 asks for when linking an account
    (payments.selectors.account_last_payment says which payment that is)."""
    return _last_payment_reader(account) if _last_payment_reader is not None else None
