"""Which accounts a subscriber may see: those linked to their cabinet (AccountLink). Every page and service that
takes an account id, a link id or lists "my accounts" asks here, so one subscriber never reaches another's data.

Someone else's account is answered exactly like one that does not exist (404, or None for the services), so an
id in the URL tells nothing about whether the account is there.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from abonent.housing.models import PersonalAccount
from abonent.lib.inputs import parse_id

from .models import AccountLink


def links_of(user) -> QuerySet[AccountLink]:
    """The user's links to accounts, every one of them (closed accounts too)."""
    return AccountLink.objects.filter(user=user)


def linked_accounts(user) -> QuerySet[PersonalAccount]:
    """The accounts linked to the user's cabinet."""
    return PersonalAccount.objects.filter(user_links__user=user)


def linked_account(user, account_id) -> PersonalAccount | None:
    """The account (with its organisation and house) if `user` is linked to it; None for anyone else's, for one
    that does not exist and for a value that is no id at all (parse_id: «５８», 20 digits, "abc")."""
    account_id = parse_id(account_id)
    if account_id is None:
        return None
    return linked_accounts(user).filter(pk=account_id).select_related("organisation", "premises__building").first()


def account_for_user(user, account_id) -> PersonalAccount:
    """The account if `user` is linked to it; 404 otherwise, exactly as if it did not exist."""
    account = linked_account(user, account_id)
    if account is None:
        raise Http404
    return account


def link_for_user(user, link_id) -> AccountLink:
    """One of the user's own links (the profile's "receipts by e-mail" and "unlink"); 404 for anyone else's."""
    link_id = parse_id(link_id)
    if link_id is None:
        raise Http404
    return get_object_or_404(links_of(user).select_related("account"), pk=link_id)
