from django import template

from abonent.billing import statements

register = template.Library()


@register.simple_tag(takes_context=True)
def account_debt(context, account):
    """The account's debt now (negative: an advance), from published periods and the payments since.

    On the home page every linked account's debt is read at once (from the figures cache, the missing ones in
    two queries for all of them; remembered on the request), so the page's queries do not grow with the number
    of accounts. The caller has checked the user's access to the accounts."""
    return _linked_debts(context, account).get(account.pk, statements.ZERO)


@register.simple_tag(takes_context=True)
def total_owed(context):
    """What the page's linked accounts (`links`) owe together, from the same once-per-request debts."""
    return statements.total_owed(_linked_debts(context))


def _linked_debts(context, account=None) -> dict:
    request = context.get("request")
    cache = getattr(request, "_billing_debts", None) if request is not None else None
    if cache is None or (account is not None and account.pk not in cache):
        accounts = {account.pk: account} if account is not None else {}
        for link in context.get("links") or ():
            linked = getattr(link, "account", None)
            if linked is not None:
                accounts.setdefault(linked.pk, linked)
        cache = statements.debts_cached(accounts.values())
        if request is not None:
            request._billing_debts = cache
    return cache


@register.filter
def negate(value):
    return -value if value is not None else value
