"""Typed readers for ADMISSIONS_* environment variables.

Every deployment setting comes from the environment so that one settings module serves
the embedded default, CI and production. A `NAME_FILE` variable, when set, holds the path
of a file whose content is the value (for secrets mounted by an orchestrator).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "ADMISSIONS_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def raw(name: str) -> str | None:
    key = PREFIX + name
    file_key = key + "_FILE"
    if os.environ.get(file_key):
        return Path(os.environ[file_key]).read_text(encoding="utf-8").strip()
    return os.environ.get(key)


def string(name: str, default: str) -> str:
    value = raw(name)
    return default if value is None else value


def boolean(name: str, default: bool) -> bool:
    value = raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{PREFIX}{name}: expected true or false, got {value!r}")


def integer(name: str, default: int) -> int:
    value = raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name}: expected an integer, got {value!r}") from None


def listing(name: str, default: list[str]) -> list[str]:
    value = raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = string(name, default).strip().lower()
    if value not in allowed:
        raise ImproperlyConfigured(
            f"{PREFIX}{name}: expected one of {', '.join(allowed)}, got {value!r}"
        )
    return value
