"""Which payments a subscriber may see: their own (the payer's user), and pay for only the open accounts linked to
their cabinet (users.access). The card checkout is built from these accounts only, so an amount_<id> of another
account in the form is never read. Another's order answers 404, like one that does not exist."""

from django.db.models import QuerySet
from django.http import Http404

from abonent.users.access import links_of
from abonent.users.models import AccountLink

from .models import AutoPay, FiscalReceipt, Payment


def own_payments(user) -> QuerySet[Payment]:
    return Payment.objects.filter(user=user)


def order_payments(user, order) -> list[Payment]:
    """The user's payments of one checkout (one per account); empty for another's order or a missing one."""
    return list(own_payments(user).filter(order=order).select_related("account").order_by("account__number"))


def payable_links(user) -> QuerySet[AccountLink]:
    """The links whose accounts the user may pay from the cabinet: every linked account not closed."""
    return links_of(user).filter(account__closed_on__isnull=True)


def own_receipt(user, pk: int) -> FiscalReceipt:
    """A fiscal receipt of the user's own payment; another's, or one that does not exist, answers 404."""
    receipt = FiscalReceipt.objects.filter(pk=pk, payment__user=user).select_related("payment__organisation").first()
    if receipt is None:
        raise Http404
    return receipt


def own_autopays(user) -> list[AutoPay]:
    return list(AutoPay.objects.filter(user=user, active=True).select_related("account").order_by("account__number"))
