"""Cache-based counters: how many times an IP or an account number was tried within a window.

Account numbers, activation codes and last payments are guessable secrets; every check of one counts here
first, so none can be found by trying. Counters live in Django's cache (Redis in production).
"""

import ipaddress

from django.conf import settings
from django.core.cache import cache

# (limit, window in seconds)
PROOF_PER_IP = (20, 60 * 60)
PROOF_PER_ACCOUNT = (5, 60 * 60)
RESET_PER_IP = (10, 60 * 60)
RESET_PER_LOGIN = (5, 60 * 60)
EMAIL_CHANGE_PER_USER = (5, 60 * 60)
EMAIL_CHANGE_PER_IP = (20, 60 * 60)


def _key(scope: str, key: str) -> str:
    return f"rl:{scope}:{key.strip().lower()}"


def hit(scope: str, key: str, rule: tuple[int, int]) -> bool:
    """Count one attempt; True while the attempts in the window stay within the limit."""
    limit, window = rule
    name = _key(scope, key)
    cache.add(name, 0, window)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, window)
        count = 1
    return count <= limit


def count(scope: str, key: str) -> int:
    return cache.get(_key(scope, key)) or 0


def exceeded(scope: str, key: str, rule: tuple[int, int]) -> bool:
    """True when the limit is already used up (without counting an attempt)."""
    return count(scope, key) >= rule[0]


def reset(scope: str, key: str) -> None:
    cache.delete(_key(scope, key))


def client_ip(request) -> str:
    """The address of the person, not of our proxy.

    Behind nginx REMOTE_ADDR is the proxy's address for everybody, so a limit per IP would be a limit for the
    whole site. With TRUSTED_PROXY_COUNT = N proxies in front of us, each appending the address it saw to
    X-Forwarded-For, the client is the N-th address from the right: whatever stands further left was written
    by the client itself and can be forged. With 0 (the default) the header is ignored, as anyone can send it.
    """
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not header:
        return remote
    hops = [part.strip() for part in header.split(",") if part.strip()]
    if not hops:
        return remote
    candidate = hops[-proxies] if len(hops) >= proxies else hops[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # a proxy that writes something else is misconfigured: don't trust the header at all
        return remote
