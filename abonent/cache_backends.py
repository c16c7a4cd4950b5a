"""Django's Redis cache with one client per connection pool instead of one per call. Building a redis.Redis
sets up its ~170 response callbacks every time, which cost more than the GET itself on a cached subscriber
page (three cache reads a request: the session, the page, the figures' versions). The client is thread-safe and
its pool reconnects after a fork, as before."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        if id(pool) not in clients:
            clients[id(pool)] = self._client(connection_pool=pool)
        return clients[id(pool)]


class SharedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient
