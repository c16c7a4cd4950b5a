"""A rate limit per token (or key), counted in the shared cache so all workers count together."""

from rest_framework.throttling import SimpleRateThrottle


class PerTokenThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        auth = request.auth
        if auth is None:
            return None  # unauthenticated requests are refused before anything is done for them
        return f"api:throttle:{type(auth).__module__}.{type(auth).__name__}:{auth.pk}"  # ours and OAuth's apart
