from django import template

from abonent.billing import statements

register = template.Library()


@register.simple_tag(takes_context=True)
def account_debt(context, account):
    """The account's debt now (negative: an advance), from published periods and the payments since.

    On the home page every linked account's debt is read at once (two queries for all of them, remembered on
    the request), so the page's queries do not grow with the number of accounts."""
    request = context.get("request")
    cache = getattr(request, "_billing_debts", None) if request is not None else None
    if cache is None or account.pk not in cache:
        ids = {account.pk}
        for link in context.get("links") or ():
            account_id = getattr(link, "account_id", None)
            if account_id:
                ids.add(account_id)
        cache = statements.debts(ids)
        if request is not None:
            request._billing_debts = cache
    return cache.get(account.pk, statements.ZERO)


@register.filter
def negate(value):
    return -value if value is not None else value
