"""Django's Redis cache, without building a new redis-py client for every call.

Django's RedisCacheClient.get_client() makes a fresh ``redis.Redis`` object on
each cache operation (its connection pool is reused, the client is not), and
redis-py's constructor fills a table of some 170 response callbacks each time:
about a fifth of a millisecond per get, which a page with a session, a user
and a fragment lookup pays three or four times. This keeps one client per
pool. A redis.Redis over a pool is safe to share; Django already keeps one
cache object per thread.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key: object = None, *, write: bool = False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
