"""A rate limit per token (or key), counted in the shared cache so all workers count together.

A counter that lives for the rate's period from the token's first request in it: one INCR, its EXPIRE NX and
its TTL in one round trip to Redis. DRF's own throttle keeps the time of every request in the window as a list,
read and rewritten whole on each request (two round trips and up to 600 stamps unpickled and pickled again), a
large part of a cheap GET's cost (bench/api.py). The price: the window is not sliding, so a client may spend one
window's allowance at its very end and the next one's at once after."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import SimpleRateThrottle


def hit(key: str, seconds: int) -> tuple[int, int]:
    """Count one request under `key`, the count living `seconds` from its first; (count so far, seconds left)."""
    cache = caches["default"]  # the backend itself: django.core.cache.cache is a proxy, no RedisCache to isinstance
    if isinstance(cache, RedisCache):
        full = cache.make_and_validate_key(key)
        pipe = cache._cache.get_client(full, write=True).pipeline(transaction=False)
        pipe.incr(full)
        pipe.expire(full, seconds, nx=True)  # set by the window's first request only
        pipe.ttl(full)
        count, _, left = pipe.execute()
        return count, max(left, 1)
    cache.add(key, 0, seconds)  # local memory (tests, a single process): the same count in two steps
    return cache.incr(key), seconds


class PerTokenThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        auth = request.auth
        if auth is None:
            return None  # unauthenticated requests are refused before anything is done for them
        # Ours and OAuth's tokens apart; a name of its own, not the key of DRF's list this counter replaced.
        return f"api:rate:{type(auth).__module__}.{type(auth).__name__}:{auth.pk}"

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        count, self.retry_in = hit(key, self.duration)
        return count <= self.num_requests

    def wait(self):
        return self.retry_in
