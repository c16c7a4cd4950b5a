"""The subscriber's figures, cached (docs/BILLING.md, «Кэш показателей»): a page's figures change only when a
period is published or a payment or recalculation reaches the ledger, so they are cached by the account and a version that those
events bump (Django's cache framework: local memory by default, Redis when REDIS_URL is set).

A figure's key holds two versions: the organisation's (bumped by a publish or a bulk rebuild of its balances)
and the account's (bumped by a payment, its cancellation, a recalculation). A bump writes a new random token, so
a version key that the cache evicted never brings back figures cached under an older one. Bumps run at once and
again when the transaction commits, so a page read between the two cannot keep figures of before the change.

Local memory is each process's own: there a bump reaches only the process that made it, so figures are kept
LOCAL_TIMEOUT seconds only (other gunicorn workers show a payment at most that late); with Redis (REDIS_URL)
every process sees every bump at once and figures are kept a day.

The access check is the caller's: it runs before anything here is read.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.utils import timezone

PREFIX = "billing:figures"
SHARED_TIMEOUT = 24 * 3600  # a shared cache (Redis): figures of an account nobody reads leave it in a day
LOCAL_TIMEOUT = 30  # a process's own memory: a bump in another process (a worker, celery) reaches it this late


def timeout() -> int:
    """How long figures are kept. Local memory is per process: a payment credited by one gunicorn worker bumps
    that worker's versions only, so the others' copies must expire soon; with Redis every process sees a bump.
    settings.BILLING_FIGURES_TIMEOUT overrides both."""
    configured = getattr(settings, "BILLING_FIGURES_TIMEOUT", None)
    if configured is not None:
        return configured
    return LOCAL_TIMEOUT if isinstance(caches["default"], LocMemCache) else SHARED_TIMEOUT


def _org_key(organisation_id: int) -> str:
    return f"{PREFIX}:v:o:{organisation_id}"


def _account_key(account_id: int) -> str:
    return f"{PREFIX}:v:a:{account_id}"


def _token() -> str:
    return uuid.uuid4().hex[:12]


def _versions(keys: list[str]) -> dict[str, str]:
    """The tokens of `keys`, one cache round trip when all are there; missing ones are created."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            token = _token()
            cache.add(key, token, None)
            found[key] = cache.get(key) or token
    return found


def versions(accounts: Iterable) -> dict[int, str]:
    """{account id: "<organisation version>.<account version>"} for PersonalAccount objects."""
    return versions_of([(a.pk, a.organisation_id) for a in accounts])


def versions_of(accounts: list[tuple[int, int]]) -> dict[int, str]:
    """versions() for (account id, organisation id) pairs: a cached page knows its accounts by their ids."""
    keys: list[str] = []
    for account_id, organisation_id in accounts:
        keys += [_org_key(organisation_id), _account_key(account_id)]
    found = _versions(keys)
    return {
        account_id: f"{found[_org_key(organisation_id)]}.{found[_account_key(account_id)]}"
        for account_id, organisation_id in accounts
    }


def page_key(account) -> tuple[int, int, str]:
    """What a page cached whole (lib.page_cache) keeps of an account it shows: its ids and its organisation's
    time zone (the page's "today" is the organisation's, and a warm page must not query for it)."""
    return (account.pk, account.organisation_id, account.organisation.timezone)


def page_versions(keys: list[tuple[int, int, str]]) -> str:
    """The figures versions of a cached page's accounts, as one text: a page is stale when it differs."""
    found = versions_of([(account_id, org) for account_id, org, _zone in keys])
    return ",".join(found[account_id] for account_id, _org, _zone in keys)


def page_day(keys: list[tuple[int, int, str]]) -> str:
    """Today in each organisation of a cached page's accounts: the page is stale once one of them turns the day."""
    now = timezone.now()
    return ",".join(sorted({f"{now.astimezone(ZoneInfo(zone)):%Y-%m-%d}" for _account, _org, zone in keys}))


def account_figures_version(account) -> str:
    return versions([account])[account.pk]


def _bump(keys: list[str]) -> None:
    if not keys:
        return

    def write() -> None:
        cache.set_many({key: _token() for key in keys}, None)

    write()
    transaction.on_commit(write)


def accounts_figures_bump(account_ids: Iterable[int]) -> None:
    """A payment, its cancellation or a recalculation changed these accounts' figures."""
    _bump([_account_key(pk) for pk in set(account_ids)])


def organisation_figures_bump(organisation_id: int) -> None:
    """A publish or a rebuild of the organisation's balances changed every figure of its accounts."""
    _bump([_org_key(organisation_id)])


def cached(name: str, accounts: Iterable, compute: Callable[[list], dict]) -> dict:
    """{account id: value} for `accounts`: cached values where the account's version still matches, the rest
    computed at once by `compute(missing accounts)` (-> {account id: value}) and stored."""
    accounts = list(accounts)
    if not accounts:
        return {}
    current = versions(accounts)
    keys = {a.pk: f"{PREFIX}:{name}:{a.pk}:{current[a.pk]}" for a in accounts}
    found = cache.get_many(list(keys.values()))
    result = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [a for a in accounts if a.pk not in result]
    if missing:
        computed = compute(missing)
        cache.set_many({keys[pk]: value for pk, value in computed.items() if pk in keys}, timeout())
        result.update(computed)
    return result
