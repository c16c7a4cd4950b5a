from django import template

from abonent.outages import selectors

register = template.Library()

HOME_LIMIT = 5


@register.inclusion_tag("outages/_home_block.html")
def outages_home(links):
    """The home page's block: outages going on or coming at the houses of the user's accounts (`links`, as the
    home page loaded them); nothing when there are none."""
    items, more = selectors.current_at(links, HOME_LIMIT)
    return {"items": items, "more": more}
