"""Cache-based counters: how many times an IP or an account number was tried within a window.

Account numbers, activation codes and last payments are guessable secrets; every check of one counts here
first, so none can be found by trying (DESIGN.md). Counters live in Django's cache (Redis in production).
"""

from django.core.cache import cache

# (limit, window in seconds)
PROOF_PER_IP = (20, 60 * 60)
PROOF_PER_ACCOUNT = (5, 60 * 60)
RESET_PER_IP = (10, 60 * 60)
RESET_PER_LOGIN = (5, 60 * 60)
LOGIN_FAILURES_PER_IP = (30, 15 * 60)


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


def exceeded(scope: str, key: str, rule: tuple[int, int]) -> bool:
    """True when the limit is already used up (without counting an attempt)."""
    return (cache.get(_key(scope, key)) or 0) >= rule[0]


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"
