"""Django's Redis cache, with one client per connection pool instead of one per operation.

Django's backend wraps its connection pool in a new `redis.Redis` for every operation, and
redis-py's constructor fills a table of some 170 reply callbacks each time: about 0.1 ms of
CPU, a tenth of a look at a kept status page (bench/RESULTS.md, tenth round). A `redis.Redis`
around a pool may be shared by threads: each command takes a connection from the pool and
gives it back, and the pool itself starts afresh in a forked process. So the client is made
once per pool, which Django already keeps for the life of the process; everything else
(keys, serialisation, timeouts, the pools) is Django's.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

__all__ = ["RedisCache"]


class _Client(RedisCacheClient):
    def __init__(self, servers: Any, **options: Any) -> None:
        super().__init__(servers, **options)
        # Django's pool -> the client around it.
        self._clients: dict[Any, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(pool)
        if client is None:
            make = self._client  # type: ignore[attr-defined]
            client = self._clients[pool] = make(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _Client
