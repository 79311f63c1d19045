"""The site's Redis cache: Django's, its client made once per connection pool; what it keeps,
counts and forgets is Django's."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from pytest_django.fixtures import Settings

from admissions.core.redis_cache import CHUNK, UnexpectedReplyError, read_value


@pytest.fixture
def shared(settings: Settings, redis_server: str) -> Iterator[None]:
    """Both caches in Redis, as a site with `ADMISSIONS_CACHE_URL` has them."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": settings.REDIS_CACHE, "LOCATION": redis_server},
        "pages": {
            "BACKEND": settings.REDIS_CACHE,
            "LOCATION": redis_server,
            "KEY_PREFIX": "pages",
        },
    }
    caches["default"].clear()
    yield
    caches["default"].clear()


def test_the_site_uses_it_with_a_cache_url() -> None:
    assert settings.REDIS_CACHE == "admissions.core.redis_cache.RedisCache"


@pytest.mark.usefixtures("shared")
def test_one_client_serves_every_operation() -> None:
    cache = caches["default"]
    client = cache._cache.get_client("a")  # type: ignore[attr-defined]
    assert isinstance(client, redis.Redis)
    assert cache._cache.get_client("b", write=True) is client  # type: ignore[attr-defined]
    cache.set("a", {"n": 1})
    assert cache.get("a") == {"n": 1}
    assert cache._cache.get_client("a") is client  # type: ignore[attr-defined]


@pytest.mark.usefixtures("shared")
def test_keys_counts_and_prefixes_are_djangos() -> None:
    default, pages = caches["default"], caches["pages"]
    default.set("k", "site", 30)
    pages.set("k", b"page", 30)
    assert (default.get("k"), pages.get("k")) == ("site", b"page")
    assert default.add("k", "other") is False
    default.set("n", 1)
    assert default.incr("n", 2) == 3
    assert default.get_many(["k", "n", "missing"]) == {"k": "site", "n": 3}
    default.delete("k")
    assert default.get("k", "gone") == "gone"
    assert pages.get("k") == b"page"
    default.set("brief", "x", 0)
    assert default.get("brief") is None


@pytest.mark.usefixtures("shared")
def test_threads_share_the_client() -> None:
    cache = caches["default"]
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            for i in range(50):
                cache.set(f"t{number}:{i}", i)
                assert cache.get(f"t{number}:{i}") == i
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache._cache._clients) == 1  # type: ignore[attr-defined]


def _pool() -> redis.ConnectionPool:
    pool: redis.ConnectionPool = caches["pages"]._cache.get_client("k").connection_pool  # type: ignore[attr-defined]
    return pool


@pytest.mark.usefixtures("shared")
def test_a_get_gives_its_connection_back_and_reads_what_django_reads() -> None:
    pages = caches["pages"]
    pages.set("k", (1.5, "mark", b"\x00page"), 30)
    assert pages.get("k") == (1.5, "mark", b"\x00page")
    assert pages.get("missing", "none") == "none"
    assert pages.get("missing") is None
    pool = _pool()
    assert not pool._in_use_connections  # type: ignore[attr-defined]
    assert len(pool._available_connections) == 1  # type: ignore[attr-defined]


def test_a_get_whose_read_fails_is_made_again_through_the_client(
    settings: Settings, redis_server: str
) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": settings.REDIS_CACHE,
            "LOCATION": redis_server,
            "KEY_PREFIX": "pages",
            "OPTIONS": {"socket_timeout": 0.2},
        },
    }
    pages = caches["pages"]
    pages.set("k", b"page", 30)
    assert pages.get("k") == b"page"
    own = _own()
    first = own.connection
    # The server holds every reply for 0.3 s: the first read times out (0.2 s), the
    # thread's connection is dropped, and the client's own `get` is answered on the pool's.
    admin = redis.Redis.from_url(redis_server)
    admin.execute_command("CLIENT", "PAUSE", 300, "ALL")
    admin.close()
    assert pages.get("k") == b"page"
    assert first._sock is None
    assert own.connection is None
    pool = _pool()
    assert not pool._in_use_connections  # type: ignore[attr-defined]
    assert pages.get("k") == b"page"
    assert own.connection is not None
    assert own.connection is not first


def _own() -> Any:
    return caches["pages"]._cache._own  # type: ignore[attr-defined]


@pytest.mark.usefixtures("shared")
def test_a_get_is_sent_on_the_threads_own_connection_not_lent_by_the_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pages = caches["pages"]
    large = os.urandom(3 * CHUNK + 17)
    values = {"k": (1.5, "mark", b"\x00page\r\n"), "n": 12, "élève": "é", "large": large}
    for key, value in values.items():
        pages.set(key, value, 30)
    pool = _pool()
    lent = []
    monkeypatch.setattr(pool, "get_connection", lambda *a, **k: lent.append(1))
    for key, value in values.items():
        assert pages.get(key) == value
    assert pages.get("missing", "none") == "none"
    assert pages.get("missing") is None
    connection = _own().connection
    assert connection is not None
    assert connection._sock is not None
    # The same connection serves the next get, with nothing left unread on it.
    assert pages.get("k") == values["k"]
    assert _own().connection is connection
    assert not connection.can_read()
    assert lent == []


@pytest.mark.usefixtures("shared")
def test_a_reply_other_than_a_value_is_the_clients_answer(redis_server: str) -> None:
    pages = caches["pages"]
    pages.set("k", b"page", 30)
    assert pages.get("k") == b"page"
    admin = redis.Redis.from_url(redis_server)
    admin.rpush(pages.make_key("list"), "a")
    first = _own().connection
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        pages.get("list")
    assert first._sock is None
    assert _own().connection is None
    assert pages.get("k") == b"page"
    # Closed by the server: the page is read all the same, and on a new connection after.
    second = _own().connection
    admin.client_kill_filter(skipme=True)
    admin.close()
    assert pages.get("k") == b"page"
    assert second._sock is None
    assert pages.get("k") == b"page"
    assert _own().connection._sock is not None


@pytest.mark.usefixtures("shared")
def test_each_thread_and_process_gets_with_a_connection_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pages = caches["pages"]
    pages.set("k", b"page", 30)
    assert pages.get("k") == b"page"
    mine = _own().connection
    client = pages._cache  # type: ignore[attr-defined]
    theirs: list[Any] = []

    def look() -> None:
        assert client.get(pages.make_key("k"), None) == b"page"
        theirs.append(client._own.connection)

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    assert theirs
    assert theirs[0] is not None
    assert theirs[0] is not mine
    assert _own().connection is mine
    # In a forked process (another pid), a new connection.
    monkeypatch.setattr(os, "getpid", lambda: -1)
    assert pages.get("k") == b"page"
    assert _own().connection is not mine


def _reply(*parts: bytes) -> bytes | None:
    """What `read_value` reads off a socket whose peer sends `parts` one after another."""
    ours, peer = socket.socketpair()
    ours.settimeout(5)

    def send() -> None:
        for part in parts:
            peer.sendall(part)
            time.sleep(0.02)
        peer.close()

    sender = threading.Thread(target=send)
    sender.start()
    try:
        return read_value(ours)
    finally:
        sender.join()
        ours.close()


def test_a_reply_is_read_whole_and_never_past_its_end() -> None:
    assert _reply(b"$5\r\nab\r\nc\r\n") == b"ab\r\nc"
    assert _reply(b"$", b"5\r", b"\nab", b"c", b"de\r", b"\n") == b"abcde"
    assert _reply(b"$0\r\n\r\n") == b""
    assert _reply(b"_\r\n") is None
    assert _reply(b"$-1\r\n") is None
    for wrong in (
        b"-ERR wrong\r\n",
        b">2\r\n$7\r\nmessage\r\n$1\r\na\r\n",
        b"$3\r\nabc\r\n_\r\n",
        b"_\r\n$1\r\na\r\n",
        b"$3\r\nabcd\r\n",
        b"$x\r\n",
    ):
        with pytest.raises(UnexpectedReplyError):
            _reply(wrong)
    for cut in (b"", b"$3\r", b"$3\r\nab"):
        with pytest.raises(redis.ConnectionError):
            _reply(cut)
