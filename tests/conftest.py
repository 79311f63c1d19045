"""The test run's settings, its database engine and its real services.

pytest-django reads the settings before this file is imported, so the test values below
are applied as an override at configure time rather than through ADMISSIONS_* variables.

`pytest --database=postgres` runs the suite on a throw-away PostgreSQL cluster instead of
SQLite. The real services the suite talks to (PostgreSQL, Redis, clamd, SMTP, S3) are
session fixtures in tests/services/, each started on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings
from pytest_django import DjangoDbBlocker

from tests import contract

pytest_plugins = [
    "tests.services.postgres",
    "tests.services.redis_server",
    "tests.services.clamd",
    "tests.services.smtp",
    "tests.services.s3",
    "tests.migrating",
    "tests.migrated_database",
    "tests.e2e.plugin",
]

DATABASE_ENGINES = ("sqlite", "postgres")

# Speed is measured in bench/, not by the tests: an example that runs slowly on a busy
# machine is no failure.
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        choices=DATABASE_ENGINES,
        default="sqlite",
        help="database engine of the test run: sqlite (default) or postgres, a throw-away "
        "cluster started from the installed PostgreSQL server",
    )


# Fixtures through which a test reaches the database, directly, through another fixture or
# through a server it starts on the run's engine.
_DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_setup",
        "live_server",
        "database_engine",
        "postgres_server",
    }
)


def _uses_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    return bool(_DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())))


def _left_out(item: pytest.Item, database: str) -> bool:
    """Tests marked `postgres_only` (row locks, or whole set-ups on the production engine)
    run in the PostgreSQL run of `make test` only. The PostgreSQL run leaves out what does
    not depend on the engine, run once in the SQLite run: the browser journeys (the pages
    they drive are the same), the tests marked `one_engine` and every test that never
    reaches the database (rules, parsers, services without data)."""
    if database == "postgres":
        if item.get_closest_marker("postgres_only") is not None:
            return False
        return (
            item.get_closest_marker("e2e") is not None
            or item.get_closest_marker("one_engine") is not None
            or not _uses_database(item)
        )
    return item.get_closest_marker("postgres_only") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    database = config.getoption("--database")
    kept = [item for item in items if not _left_out(item, database)]
    deselected = [item for item in items if _left_out(item, database)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


_TEST_OVERRIDE = pytest.StashKey[tuple[object, Path]]()


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings
    from django.test import override_settings

    media_root = Path(tempfile.mkdtemp(prefix="admissions-media-"))
    local_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(media_root), "base_url": "/nowhere/"},
    }
    override = override_settings(
        MEDIA_ROOT=media_root,
        STORAGES={**settings.STORAGES, "default": local_storage},
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        TASK_BACKEND_NAME="immediate",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        CLAMD_ADDRESS="",
        PRODUCTION=False,
        MODE="development",
        # Most tests sign staff in with `force_login`, which passes no second factor: the
        # policy is on in the tests of the second factor themselves (tests/people).
        STAFF_SECOND_FACTOR_REQUIRED=False,
    )
    override.enable()
    config.stash[_TEST_OVERRIDE] = (override, media_root)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _TEST_OVERRIDE in config.stash:
        override, media_root = config.stash[_TEST_OVERRIDE]
        override.disable()  # type: ignore[attr-defined]
        shutil.rmtree(media_root, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {config.getoption('database')}"


@pytest.fixture(scope="session")
def database_engine(request: pytest.FixtureRequest) -> str:
    """sqlite or postgres: the engine this run's tests use."""
    return str(request.config.getoption("database"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request: pytest.FixtureRequest, database_engine: str) -> None:
    if database_engine == "postgres":
        from django.conf import settings
        from django.db import connections

        server = request.getfixturevalue("postgres_server")
        default = settings.DATABASES["default"]
        # Change the dict in place: Django's connection handler already holds it.
        default.clear()
        default.update(dj_database_url.parse(server.url("admissions"), conn_max_age=0))
        # The project's engine, as settings.py names it for a PostgreSQL address.
        default["ENGINE"] = "admissions.core.postgresql"
        connections.configure_settings(settings.DATABASES)
        # A connection opened before now would still speak to SQLite.
        for connection in connections.all(initialized_only=True):
            connection.close()
            del connections[connection.alias]
    else:
        from django.conf import settings

        # The project's SQLite engine is not named "sqlite3", so pytest-django would give each
        # parallel worker a file named after the path of the development database; an
        # in-memory database per worker is what Django's own SQLite engine gets.
        test = settings.DATABASES["default"].setdefault("TEST", {})
        test["NAME"] = test.get("NAME") or ":memory:"
    request.getfixturevalue("django_db_modify_db_settings_parallel_suffix")


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, database_engine: str
) -> Iterator[None]:
    yield
    if database_engine == "postgres":
        # A thread that served a last request (a live server's) may still hold a session on
        # the test database, and PostgreSQL refuses to drop a database in use.
        from django.db import connection

        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(autouse=True)
def _fast_passwords(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings: object) -> None:
    # The manifest exists only after collectstatic; pages under test name their assets plainly.
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _rulebooks_parsed_afresh() -> None:
    # Parsed rulebooks stay in the process (catalog/parsed.py): each test starts without
    # them, so that what it counts does not depend on the tests run before it.
    # The open campaigns too (catalog/offer.py): a test's rows are undone without a signal.
    from admissions.catalog import offer, parsed

    parsed.clear()
    offer.forget()


@pytest.fixture(autouse=True)
def _api_answers_match_their_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every answer of the API the suite receives is checked against the OpenAPI document
    (tests/contract.py)."""
    received = Client.request

    def checked(self: Client, **request: Any) -> Any:
        response = received(self, **request)
        contract.check(request.get("REQUEST_METHOD", "GET"), request.get("PATH_INFO", ""), response)
        return response

    monkeypatch.setattr(Client, "request", checked)


@pytest.fixture(autouse=True)
def _cache_emptied() -> None:
    # Pages keep figures in the cache under ids and versions that a rolled-back test can
    # hand to the next one: each test starts with an empty cache.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _site_language() -> Iterator[None]:
    # A test that activates a language (a page's request, an email sent in English) leaves
    # it active in its thread: each test starts in the site's own language, as a new request
    # does, so that `reverse` gives the same addresses whatever ran before.
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield
