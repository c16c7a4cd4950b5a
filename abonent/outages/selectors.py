"""Which outages a page shows: the subscriber's (houses of their linked accounts) and the public list by house."""

import datetime as dt

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from abonent.billing import figures
from abonent.orgs.models import Organisation
from abonent.users.models import AccountLink

from .models import Outage

RECENT_DAYS = 30  # the cabinet's page also shows what ended lately: "why was there no water on Tuesday?"


def _of_user(user) -> QuerySet[Outage]:
    ids = Outage.objects.filter(
        buildings__premises__accounts__user_links__user=user,
        buildings__premises__accounts__closed_on__isnull=True,
    ).values("pk")
    return Outage.objects.filter(pk__in=ids).select_related("organisation").order_by("starts_at", "id")


def user_current(user, limit: int | None = None) -> list[Outage]:
    """Outages going on now or still to come at the user's houses, the soonest first."""
    outages = _of_user(user).filter(ends_at__gt=timezone.now())
    return list(outages[:limit] if limit else outages)


def user_recent(user) -> list[Outage]:
    now = timezone.now()
    outages = _of_user(user).filter(ends_at__lte=now, ends_at__gt=now - dt.timedelta(days=RECENT_DAYS))
    return list(outages.order_by("-ends_at", "-id"))


def user_addresses(user, outages: list[Outage]) -> dict[int, list[str]]:
    """outage id → the user's own addresses it concerns (a house with many of the user's flats: each flat)."""
    through = Outage.buildings.through
    rows = through.objects.filter(outage__in=[o.pk for o in outages]).values_list("outage_id", "building_id")
    houses: dict[int, list[int]] = {}
    for outage_id, building_id in rows:
        houses.setdefault(building_id, []).append(outage_id)
    links = AccountLink.objects.filter(
        user=user, account__premises__building__in=houses.keys(), account__closed_on__isnull=True
    ).select_related("account__premises__building")
    found: dict[int, list[str]] = {}
    for link in links:
        for outage_id in houses[link.account.premises.building_id]:
            address = link.account.premises.address
            if address not in found.setdefault(outage_id, []):
                found[outage_id].append(address)
    return found


def _local_day(org: Organisation, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=org.tz)
    return start, start + dt.timedelta(days=1)


def public_rows(organisations: list[Organisation], day: dt.date | None):
    """(house, outage) pairs by street (the house's address) and start: those going on the organisation's local
    `day`, or without a day everything not over yet."""
    if day is None:
        condition = Q(outage__ends_at__gt=timezone.now(), outage__organisation__in=organisations)
    else:
        condition = Q(pk__in=[])
        for org in organisations:
            start, end = _local_day(org, day)
            condition |= Q(outage__organisation=org, outage__starts_at__lt=end, outage__ends_at__gt=start)
    return (
        Outage.buildings.through.objects.filter(condition)
        .select_related("building", "outage__organisation")
        .order_by("building__address", "outage__starts_at", "outage_id")
    )


# --- the home page: read on every visit, so each organisation's outages not yet over come from the cache -----------
CACHE_PREFIX = "outages:active"


def _cache_key(organisation_id: int) -> str:
    return f"{CACHE_PREFIX}:{organisation_id}"


def active_forget(organisation_id: int) -> None:
    """An outage of the organisation changed: the next home page reads them again (now and after the commit, as
    billing.figures bumps: a page read in between must not keep the old list)."""
    key = _cache_key(organisation_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def _active_of(organisation_ids: list[int]) -> dict[int, list[tuple[Outage, set[int]]]]:
    """organisation id → its outages not over yet with their houses: from the cache, the missing ones in one query
    whatever their number (a subscriber with accounts in many organisations)."""
    keys = {_cache_key(pk): pk for pk in organisation_ids}
    cached = cache.get_many(keys.keys())
    found = {keys[key]: value for key, value in cached.items()}
    missing = [pk for pk in organisation_ids if pk not in found]
    if missing:
        fresh: dict[int, list] = {pk: [] for pk in missing}
        outages = (
            Outage.objects.filter(organisation_id__in=missing, ends_at__gt=timezone.now())
            .select_related("organisation")
            .prefetch_related("buildings")
            .order_by("starts_at", "id")
        )
        for outage in outages:
            fresh[outage.organisation_id].append((outage, {b.pk for b in outage.buildings.all()}))
        cache.set_many({_cache_key(pk): value for pk, value in fresh.items()}, figures.timeout())
        found.update(fresh)
    return found


def current_at(links, limit: int) -> tuple[list[tuple[Outage, list[str]]], bool]:
    """For the user's account links (with their premises and houses loaded): the outages going on or coming at
    those houses with the user's addresses there, the soonest first, at most `limit`; and whether there are more."""
    now = timezone.now()
    open_links = [link for link in links if link.account.closed_on is None]
    items = []
    active = _active_of(sorted({link.account.organisation_id for link in open_links}))
    for org_id in sorted(active):
        for outage, houses in active[org_id]:
            addresses = [
                link.account.premises.address for link in open_links if link.account.premises.building_id in houses
            ]
            if addresses and outage.ends_at > now:
                items.append((outage, list(dict.fromkeys(addresses))))
    items.sort(key=lambda item: (item[0].starts_at, item[0].pk))
    return items[:limit], len(items) > limit
