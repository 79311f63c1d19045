"""The settings module read whole, in a fresh process, from a controlled environment.

Each case imports `admissions.settings` in a subprocess whose environment holds only what
the case sets, as a deployment would start it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import admissions

SOURCE_DIR = Path(admissions.__file__).resolve().parent.parent
STRONG_KEY = "k3y-" + "x7Qp" * 12

REPORT = """
import json
from admissions import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "PRODUCTION": s.PRODUCTION,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "ENGINE": s.DATABASES["default"]["ENGINE"],
    "CONN_MAX_AGE": s.DATABASES["default"]["CONN_MAX_AGE"],
    "CONN_HEALTH_CHECKS": s.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "EMAIL_USE_TLS": getattr(s, "EMAIL_USE_TLS", None),
    "CLAMD_ADDRESS": s.CLAMD_ADDRESS,
    "SECRET_KEY": s.SECRET_KEY,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "TASKS": s.TASKS["default"]["BACKEND"],
    "STORAGE": s.STORAGES["default"]["BACKEND"],
    "LOG_LEVEL": s.LOGGING["root"]["level"],
    "SESSION_ENGINE": s.SESSION_ENGINE,
    "PAGES_CACHE": s.CACHES["pages"],
}))
"""


def load_settings(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(SOURCE_DIR),
        "HOME": str(tmp_path),
        "ADMISSIONS_VAR_DIR": str(tmp_path / "var"),
        **{f"ADMISSIONS_{name}": value for name, value in variables.items()},
    }
    return subprocess.run(
        [sys.executable, "-c", REPORT],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def settings_of(tmp_path: Path, **variables: str) -> dict[str, object]:
    done = load_settings(tmp_path, **variables)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def refusal(tmp_path: Path, **variables: str) -> str:
    done = load_settings(tmp_path, **variables)
    assert done.returncode != 0, done.stdout
    assert "ImproperlyConfigured" in done.stderr
    return done.stderr.strip().splitlines()[-1]


SAFE_PRODUCTION = {
    "MODE": "production",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "admissions.example.org",
    "DATABASE_URL": "postgres://admissions:secret@db.example.org:5432/admissions",
    "CLAMD": "tcp://127.0.0.1:3310",
    "EMAIL_URL": "smtp://mailer:secret@mail.example.org:587?tls=1",
    "SITE_URL": "https://admissions.example.org",
}


def test_development_defaults_load(tmp_path: Path) -> None:
    loaded = settings_of(tmp_path)
    assert loaded["PRODUCTION"] is False
    assert loaded["DEBUG"] is False
    assert loaded["ENGINE"] == "admissions.core.sqlite"
    assert loaded["TASKS"] == "django_tasks_db.DatabaseBackend"
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["CLAMD_ADDRESS"] == ""
    assert (tmp_path / "var").is_dir()


def test_safe_production_environment_loads(tmp_path: Path) -> None:
    loaded = settings_of(tmp_path, **SAFE_PRODUCTION)
    assert loaded["PRODUCTION"] is True
    assert loaded["ENGINE"] == "admissions.core.postgresql"
    assert loaded["ALLOWED_HOSTS"] == ["admissions.example.org"]
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert loaded["EMAIL_USE_TLS"] is True
    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["SECURE_HSTS_SECONDS"] == 31536000


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"SECRET_KEY": ""}, "ADMISSIONS_SECRET_KEY"),
        (
            {"SECRET_KEY": "development-only-secret-key-never-use-in-production"},
            "ADMISSIONS_SECRET_KEY",
        ),
        ({"SECRET_KEY": "short-but-not-empty"}, "ADMISSIONS_SECRET_KEY must be at least 32"),
        ({"DEBUG": "true"}, "ADMISSIONS_DEBUG"),
        ({"ALLOWED_HOSTS": "*"}, "ADMISSIONS_ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": "admissions.example.org,*"}, "ADMISSIONS_ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": ""}, "ADMISSIONS_ALLOWED_HOSTS"),
        ({"DATABASE_URL": "sqlite:////srv/admissions.sqlite3"}, "ADMISSIONS_DATABASE_URL"),
        ({"CLAMD": ""}, "ADMISSIONS_CLAMD"),
        ({"EMAIL_URL": "console://"}, "ADMISSIONS_EMAIL_URL"),
        ({"EMAIL_URL": "locmem://"}, "ADMISSIONS_EMAIL_URL"),
        ({"SITE_URL": "http://admissions.example.org"}, "ADMISSIONS_SITE_URL"),
        ({"FAULT_POINTS": "submission.before_commit"}, "ADMISSIONS_FAULT_POINTS"),
    ],
)
def test_production_refuses_unsafe_values(
    tmp_path: Path, change: dict[str, str], variable: str
) -> None:
    message = refusal(tmp_path, **{**SAFE_PRODUCTION, **change})
    assert "Unsafe production settings" in message
    assert variable in message
    # Only the changed value is reported: the rest of the environment is safe.
    assert message.count("ADMISSIONS_") == 1


def test_production_without_settings_lists_every_problem(tmp_path: Path) -> None:
    message = refusal(tmp_path, MODE="production")
    for variable in (
        "ADMISSIONS_SECRET_KEY",
        "ADMISSIONS_ALLOWED_HOSTS",
        "ADMISSIONS_DATABASE_URL",
        "ADMISSIONS_CLAMD",
        "ADMISSIONS_EMAIL_URL",
        "ADMISSIONS_SITE_URL",
    ):
        assert variable in message


def test_secret_key_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text(STRONG_KEY + "\n", encoding="utf-8")
    variables = {**SAFE_PRODUCTION, "SECRET_KEY_FILE": str(secret)}
    del variables["SECRET_KEY"]
    assert settings_of(tmp_path, **variables)["SECRET_KEY"] == STRONG_KEY


def test_missing_secret_file_is_refused(tmp_path: Path) -> None:
    variables = {**SAFE_PRODUCTION, "SECRET_KEY_FILE": str(tmp_path / "absent")}
    del variables["SECRET_KEY"]
    message = refusal(tmp_path, **variables)
    assert "ADMISSIONS_SECRET_KEY_FILE" in message
    assert "absent" in message


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"MODE": "staging"}, "ADMISSIONS_MODE: expected one of development, production"),
        ({"DEBUG": "maybe"}, "ADMISSIONS_DEBUG: expected true or false"),
        ({"TASKS": "celery"}, "ADMISSIONS_TASKS: expected one of database, immediate, rq"),
        ({"STORAGE": "ftp"}, "ADMISSIONS_STORAGE: expected one of local, s3"),
        ({"CLAMD": "127.0.0.1:3310"}, "ADMISSIONS_CLAMD: expected tcp://host:port"),
        ({"CLAMD_TIMEOUT": "soon"}, "ADMISSIONS_CLAMD_TIMEOUT: expected an integer"),
        ({"CLAMD_TIMEOUT": "0"}, "ADMISSIONS_CLAMD_TIMEOUT: must be at least 1"),
        ({"TASKS_STALE_MINUTES": "-5"}, "ADMISSIONS_TASKS_STALE_MINUTES: must be at least 1"),
        ({"EMAIL_URL": "pigeon://loft"}, "ADMISSIONS_EMAIL_URL: expected console://"),
        ({"DATABASE_URL": "oracle-ish://db"}, "ADMISSIONS_DATABASE_URL"),
        ({"ALLOWED_HOSTS": "a.example.org b.example.org"}, "ADMISSIONS_ALLOWED_HOSTS: separate"),
        ({"LOG_LEVEL": "loud"}, "ADMISSIONS_LOG_LEVEL: expected one of debug, info"),
        ({"TRUSTED_PROXIES": "10.0.0.0/33"}, "ADMISSIONS_TRUSTED_PROXIES: expected IP"),
        ({"TRUSTED_PROXIES": "proxy.example.org"}, "ADMISSIONS_TRUSTED_PROXIES: expected IP"),
        ({"DOCUMENTS_PDF_SECONDS": "0"}, "ADMISSIONS_DOCUMENTS_PDF_SECONDS: must be at least 1"),
        ({"DATABASE_CONN_MAX_AGE": "-1"}, "ADMISSIONS_DATABASE_CONN_MAX_AGE: must be at least 0"),
    ],
)
def test_bad_values_are_refused_by_name(
    tmp_path: Path, variables: dict[str, str], expected: str
) -> None:
    assert expected in refusal(tmp_path, **variables)


def test_engines_are_chosen_by_the_environment(tmp_path: Path) -> None:
    loaded = settings_of(
        tmp_path,
        TASKS="rq",
        STORAGE="s3",
        S3_BUCKET="documents",
        LOG_LEVEL="warning",
        DEBUG="yes",
    )
    assert loaded["TASKS"] == "django_tasks_rq.RQBackend"
    assert loaded["STORAGE"] == "storages.backends.s3.S3Storage"
    assert loaded["LOG_LEVEL"] == "WARNING"
    assert loaded["DEBUG"] is True


def test_sessions_are_read_from_the_database_with_or_without_a_shared_cache(
    tmp_path: Path,
) -> None:
    # A cache per process would keep a logged-out session alive in the other processes; a
    # shared one in front spares no statement (the session is read with its user).
    assert settings_of(tmp_path)["SESSION_ENGINE"] == "admissions.people.sessions"
    shared = settings_of(tmp_path, CACHE_URL="redis://127.0.0.1:6379/1")
    assert shared["SESSION_ENGINE"] == "admissions.people.sessions"


def test_kept_pages_in_a_process_take_a_few_mib_at_most(tmp_path: Path) -> None:
    # About 3 KiB a status page with its key (portal/status_cache.py): 1,000 are 3 MiB of a
    # web worker; 5,000 were 14.
    pages = settings_of(tmp_path)["PAGES_CACHE"]
    assert pages["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert pages["OPTIONS"] == {"MAX_ENTRIES": 1000}
    assert settings_of(tmp_path, PAGE_CACHE_ENTRIES="5000")["PAGES_CACHE"]["OPTIONS"] == {
        "MAX_ENTRIES": 5000
    }
    # In Redis, shared by the processes, the bound is Redis's.
    shared = settings_of(tmp_path, CACHE_URL="redis://127.0.0.1:6379/1")["PAGES_CACHE"]
    assert "OPTIONS" not in shared


@pytest.mark.parametrize("url", ["", "postgres://admissions@db.example.org/admissions"])
def test_connections_are_kept_and_checked(tmp_path: Path, url: str) -> None:
    variables = {"DATABASE_URL": url} if url else {}
    loaded = settings_of(tmp_path, **variables)
    assert (loaded["CONN_MAX_AGE"], loaded["CONN_HEALTH_CHECKS"]) == (600, True)
    once = settings_of(tmp_path, DATABASE_CONN_MAX_AGE="0", **variables)
    assert once["CONN_MAX_AGE"] == 0


def test_templates_are_compiled_once_per_process() -> None:
    from django.template import engines
    from django.template.loaders.cached import Loader

    assert isinstance(engines["django"].engine.template_loaders[0], Loader)  # type: ignore[attr-defined]
