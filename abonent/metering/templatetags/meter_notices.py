"""The home page's warnings about meters: a verification that ends within 30 days, or has ended (what happens to
the readings then, checks.verification_notice and checks.closed_meter_message say)."""

import datetime as dt

from django import template

from abonent.metering.checks import VERIFICATION_WARNING_DAYS, closed_meter_message, verification_notice
from abonent.metering.models import Meter

register = template.Library()


@register.simple_tag(takes_context=True)
def verification_notices(context, account) -> list[tuple[Meter, str]]:
    """[(meter, warning)] of the account's meters, each on the organisation's today. Every linked account of the
    page is read at once (one query, remembered on the request). The caller has checked the user's access."""
    request = context.get("request")
    found = getattr(request, "_meter_notices", None) if request is not None else None
    if found is None or account.pk not in found:
        accounts = {account.pk: account}
        for link in context.get("links") or ():
            linked = getattr(link, "account", None)
            if linked is not None:
                accounts.setdefault(linked.pk, linked)
        found = _notices(accounts.values())
        if request is not None:
            request._meter_notices = found
    return found[account.pk]


def _notices(accounts) -> dict[int, list[tuple[Meter, str]]]:
    today = {a.pk: a.organisation.today() for a in accounts}
    by_premises: dict[int, list[int]] = {}
    for a in accounts:
        by_premises.setdefault(a.premises_id, []).append(a.pk)
    result: dict[int, list[tuple[Meter, str]]] = {a.pk: [] for a in accounts}
    latest = max(today.values()) + dt.timedelta(days=VERIFICATION_WARNING_DAYS)
    meters = (
        Meter.objects.filter(premises_id__in=by_premises, verification_due__lte=latest)
        .exclude(status=Meter.Status.CLOSED)
        .order_by("resource", "serial_number")
    )
    for meter in meters:
        for account_id in by_premises[meter.premises_id]:
            day = today[account_id]
            if meter.closed_on is not None and meter.closed_on <= day:
                continue  # taken out of service: nothing to warn about
            text = verification_notice(meter, day)
            if text is None and meter.verification_due < day:
                text = closed_meter_message(meter, day)
            if text:
                result[account_id].append((meter, text))
    return result
