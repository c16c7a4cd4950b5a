"""Which meters a subscriber may see and send readings for: those of an account linked to their cabinet
(users.access decides the account), in that account's premises. Another's meter answers 404, like a missing one."""

from __future__ import annotations

from django.db import connection
from django.http import Http404

from abonent.housing.models import PersonalAccount
from abonent.lib.inputs import parse_id
from abonent.orgs.models import Organisation
from abonent.users.access import linked_accounts

from .models import Meter

# What the confirmed readings form needs of the organisation: its time zone and readings window.
WINDOW_FIELDS = ("id", "timezone", "readings_first_day", "readings_last_day")


def meter_of_account(account: PersonalAccount, meter_id) -> Meter:
    """A meter of the account's premises (the account already passed users.access); 404 for any other."""
    meter = None
    if parse_id(meter_id) is not None:
        meter = Meter.objects.filter(pk=parse_id(meter_id), premises_id=account.premises_id).first()
    if meter is None:
        raise Http404
    return meter


def organisation_and_premises(user, account_id) -> tuple[Organisation, int]:
    """The organisation (its window fields only; any other is read when asked for) and the premises of an
    account `user` is linked to; 404 otherwise, as users.access.account_for_user. One small query: the confirmed
    readings form is the busiest write of the month and needs no more of the account. The meters sent are then
    checked against this premises by readings_submit."""
    account_id = parse_id(account_id)  # 20 digits in the URL: no such account, not an OverflowError in the query
    if account_id is None:
        raise Http404
    found = list(
        linked_accounts(user)
        .filter(pk=account_id)
        .values_list("premises_id", *(f"organisation__{name}" for name in WINDOW_FIELDS))[:1]
    )
    if not found:
        raise Http404
    premises_id, *values = found[0]
    return Organisation.from_db(connection.alias, WINDOW_FIELDS, values), premises_id
