"""Which payments a subscriber may see: their own (the payer's user), and pay for only the open accounts linked to
their cabinet (users.access). The card checkout is built from these accounts only, so an amount_<id> of another
account in the form is never read. Another's order answers 404, like one that does not exist."""

from django.db.models import QuerySet

from abonent.users.access import links_of
from abonent.users.models import AccountLink

from .models import Payment


def own_payments(user) -> QuerySet[Payment]:
    return Payment.objects.filter(user=user)


def order_payments(user, order) -> list[Payment]:
    """The user's payments of one checkout (one per account); empty for another's order or a missing one."""
    return list(own_payments(user).filter(order=order).select_related("account").order_by("account__number"))


def payable_links(user) -> QuerySet[AccountLink]:
    """The links whose accounts the user may pay from the cabinet: every linked account not closed."""
    return links_of(user).filter(account__closed_on__isnull=True)
