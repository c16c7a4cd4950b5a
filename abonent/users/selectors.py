"""Reads the access pages need."""

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Q, QuerySet

from abonent.housing.models import Building, PersonalAccount
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


HOUSES_SHOWN = 20


def houses_matching(organisation_id: int, text: str, limit: int = HOUSES_SHOWN) -> list[Building]:
    """The organisation's houses whose address has every word typed ("гонч 5" finds "ул. Гончарова, д. 5" but not
    "д. 15": a number is a whole house number, other words may be cut short), at most `limit`, by address: the
    house list of "Добавить лицевой счёт", short enough to read even for a city."""
    words = re.findall(r"\w+", (text or "").lower())[:6]
    houses = Building.objects.filter(organisation_id=organisation_id).order_by("address")
    for word in words:
        # SQLite folds case for ASCII only: the word is also tried capitalised and in capitals (PostgreSQL's
        # icontains folds Cyrillic itself). This narrows the rows; the word rule below decides.
        houses = houses.filter(
            Q(address__icontains=word) | Q(address__icontains=word.capitalize()) | Q(address__icontains=word.upper())
        )
    found = []
    for house in houses.iterator(chunk_size=500):
        if _address_has_words(house.address, words):
            found.append(house)
            if len(found) == limit:
                break
    return found


def _address_has_words(address: str, words: list[str]) -> bool:
    have = re.findall(r"\w+", address.lower())
    return all(any(h == w if w.isdigit() else h.startswith(w) for h in have) for w in words)
