"""Django's Redis cache, with one client per connection pool instead of one per operation.

Django's backend wraps its connection pool in a new `redis.Redis` for every operation, and
redis-py's constructor fills a table of some 170 reply callbacks each time: about 0.1 ms of
CPU, a tenth of a look at a kept status page (bench/RESULTS.md, tenth round). A `redis.Redis`
around a pool may be shared by threads: each command takes a connection from the pool and
gives it back, and the pool itself starts afresh in a forked process. So the client is made
once per pool, which Django already keeps for the life of the process; everything else
(keys, serialisation, timeouts, the pools) is Django's.

A `get` (a kept page's look: one a request) sends its command on a connection of the pool
itself: redis-py's client wraps each command in its retries, events and metrics, 40 µs of CPU
a `get`, as much as the round trip's own Python (bench/RESULTS.md, eleventh round). The pool
still checks that the connection has nothing left to read before lending it; a connection
that fails while sending or reading is dropped (as redis-py drops it), and the `get` is made
again through the client, with its retries and new connection: a failure is answered as
before.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

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

    def get(self, key: Any, default: Any) -> Any:
        client = self.get_client(key)
        pool = client.connection_pool
        connection = pool.get_connection()
        try:
            connection.send_command("GET", key)
            value = connection.read_response()
        except (RedisConnectionError, RedisTimeoutError, OSError):
            # Nothing read from it may be trusted again: closed, and the client asks anew.
            connection.disconnect()
            value = client.get(key)
        except BaseException:
            connection.disconnect()
            raise
        finally:
            pool.release(connection)
        return default if value is None else self._serializer.loads(value)  # type: ignore[attr-defined]


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _Client
