from django import template

from abonent.outages import selectors

register = template.Library()

HOME_LIMIT = 5


@register.inclusion_tag("outages/_home_block.html")
def outages_home(user):
    """The home page's block: outages going on or coming at the user's houses (nothing when there are none)."""
    current = selectors.user_current(user, limit=HOME_LIMIT + 1)
    addresses = selectors.user_addresses(user, current[:HOME_LIMIT])
    return {"items": [(o, addresses.get(o.pk, [])) for o in current[:HOME_LIMIT]], "more": len(current) > HOME_LIMIT}
