"""The site's Redis cache: Django's, its client made once per connection pool; what it keeps,
counts and forgets is Django's."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from pytest_django.fixtures import Settings


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
    pool = _pool()
    first = pool._available_connections[-1]  # type: ignore[attr-defined]
    # The server holds every reply for 0.3 s: the first read times out (0.2 s), the
    # connection is dropped, and the client's own `get` is answered on a new one.
    admin = redis.Redis.from_url(redis_server)
    admin.execute_command("CLIENT", "PAUSE", 300, "ALL")
    admin.close()
    assert pages.get("k") == b"page"
    assert first._sock is None  # type: ignore[attr-defined]
    assert not pool._in_use_connections  # type: ignore[attr-defined]
    assert len(pool._available_connections) == 2  # type: ignore[attr-defined]
    assert pages.get("k") == b"page"
