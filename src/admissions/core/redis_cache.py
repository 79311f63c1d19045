"""Django's Redis cache, with one client per connection pool instead of one per operation.

Django's backend wraps its connection pool in a new `redis.Redis` for every operation, and
redis-py's constructor fills a table of some 170 reply callbacks each time: about 0.1 ms of
CPU, a tenth of a look at a kept status page (bench/RESULTS.md, tenth round). A `redis.Redis`
around a pool may be shared by threads: each command takes a connection from the pool and
gives it back, and the pool itself starts afresh in a forked process. So the client is made
once per pool, which Django already keeps for the life of the process; everything else
(keys, serialisation, timeouts, the pools) is Django's.

A `get` (a kept page's look: one a request) is sent on a connection of the thread's own,
made as the pool makes its connections (the same address, database, protocol, timeouts),
and its reply read off the socket here: a `GET` answers one bulk string or a null. Lending
and taking back a pool's connection, with its checks and metrics, and redis-py's packing and
parsing of the command around it cost about 40 µs of CPU a `get`, against some 8 µs for the
round trip's own system calls (bench/RESULTS.md, fifteenth round). Anything else read (an
error, a closed connection, a timeout, more than the reply) drops that connection, so that
nothing unread is ever left on it for the next `get`, and the `get` is made again through
the client, with its retries and the pool: a failure is answered as before. A forked
process makes its own connection.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["RedisCache"]

# A kept page is about 3 KB: one read takes most replies whole.
CHUNK = 65536
# A null, in RESP3 then in RESP2.
NULLS = (b"_", b"$-1")


class UnexpectedReplyError(Exception):
    """Something other than a `GET`'s reply was read."""


def read_value(sock: Any) -> bytes | None:
    """The value of a `GET`'s reply read off `sock`, never past the reply's end."""
    data = b""
    end = -1
    while end < 0:
        chunk = sock.recv(CHUNK)
        if not chunk:
            raise RedisConnectionError("Connection closed by server.")
        data += chunk
        end = data.find(b"\r\n")
    header = data[:end]
    start = end + 2
    if header in NULLS:
        if len(data) != start:
            raise UnexpectedReplyError
        return None
    if header[:1] != b"$" or not header[1:].isdigit():
        raise UnexpectedReplyError
    size = start + int(header[1:]) + 2
    if len(data) < size:
        buffer = bytearray(size)
        buffer[: len(data)] = data
        view = memoryview(buffer)
        got = len(data)
        while got < size:
            count = sock.recv_into(view[got:])
            if not count:
                raise RedisConnectionError("Connection closed by server.")
            got += count
        data = bytes(buffer)
    if len(data) != size or data[size - 2 :] != b"\r\n":
        raise UnexpectedReplyError
    return data[start : size - 2]


class _Own(threading.local):
    connection: Any = None
    pool: Any = None
    pid = 0


class _Client(RedisCacheClient):
    def __init__(self, servers: Any, **options: Any) -> None:
        super().__init__(servers, **options)
        # Django's pool -> the client around it.
        self._clients: dict[Any, Any] = {}
        self._own = _Own()

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(pool)
        if client is None:
            make = self._client  # type: ignore[attr-defined]
            client = self._clients[pool] = make(connection_pool=pool)
        return client

    def _connection(self, pool: Any) -> Any:
        own = self._own
        pid = os.getpid()
        if own.connection is None or own.pool is not pool or own.pid != pid:
            connection = pool.connection_class(**pool.connection_kwargs)
            connection.connect()
            own.connection, own.pool, own.pid = connection, pool, pid
        return own.connection

    def get(self, key: Any, default: Any) -> Any:
        client = self.get_client(key)
        pool = client.connection_pool
        if pool.connection_kwargs.get("decode_responses"):
            value = client.get(key)
        else:
            value = self._get(client, pool, key)
        return default if value is None else self._serializer.loads(value)  # type: ignore[attr-defined]

    def _get(self, client: Any, pool: Any, key: Any) -> Any:
        connection = None
        try:
            connection = self._connection(pool)
            name = connection.encoder.encode(key)
            connection.send_packed_command(
                [b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(name), name)], check_health=False
            )
            return read_value(connection._sock)
        except (RedisConnectionError, RedisTimeoutError, OSError, UnexpectedReplyError):
            # Nothing read from it may be trusted again: closed, and the client asks anew.
            self._drop(connection)
            return client.get(key)
        except BaseException:
            self._drop(connection)
            raise

    def _drop(self, connection: Any) -> None:
        self._own.connection = None
        if connection is not None:
            connection.disconnect()


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _Client
