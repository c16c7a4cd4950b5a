"""Who may open a receipt: the subscriber, for an account linked to their cabinet (users.access), and an
operator, for any account of their organisation (a superuser: of any). Only a published period has receipts.
Anything else is a 404, exactly like a month or an account that does not exist."""

import datetime as dt

from django.http import Http404

from abonent.housing.models import PersonalAccount
from abonent.lib.inputs import parse_id
from abonent.orgs.access import operator_organisation_filter
from abonent.users.access import account_for_user

from . import selectors


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 — a month, no time zone involved
    except ValueError as exc:
        raise Http404 from exc


def _receipt(account: PersonalAccount, month: str) -> selectors.Receipt:
    period = selectors.published_period(account=account, month=_month(month))
    receipt = selectors.receipt_for(account=account, period=period) if period else None
    if receipt is None:
        raise Http404
    return receipt


def receipt_for_user(user, account_id, month: str) -> selectors.Receipt:
    """The subscriber's receipt of a published month (YYYY-MM) for one of their accounts."""
    return _receipt(account_for_user(user, account_id), month)


def account_for_operator(user, account_id) -> PersonalAccount:
    """An account of the operator's organisation (superusers: any); 404 for another organisation's."""
    account = None
    if parse_id(account_id) is not None:
        account = (
            PersonalAccount.objects.select_related("organisation", "premises__building")
            .filter(pk=parse_id(account_id), **operator_organisation_filter(user))
            .first()
        )
    if account is None:
        raise Http404
    return account


def receipt_for_operator(user, account_id, month: str) -> selectors.Receipt:
    """Any published receipt of an account of the operator's organisation, for the back office."""
    return _receipt(account_for_operator(user, account_id), month)
