"""Typed readers for ADMISSIONS_* environment variables.

Every deployment setting comes from the environment so that one settings module serves
the embedded default, CI and production. A `NAME_FILE` variable, when set, holds the path
of a file whose content is the value (for secrets mounted by an orchestrator).

A bad value stops the start with an ImproperlyConfigured naming the variable: a typo in a
deployment must never fall back silently to a default.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "ADMISSIONS_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def raw(name: str) -> str | None:
    key = PREFIX + name
    file_key = key + "_FILE"
    file_name = os.environ.get(file_key)
    if file_name:
        if os.environ.get(key) is not None:
            raise ImproperlyConfigured(f"{key} and {file_key} are both set: keep only one")
        try:
            value = Path(file_name).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not readable as UTF-8 text"
            raise ImproperlyConfigured(f"{file_key}: cannot read {file_name!r}: {reason}") from None
        if not value:
            raise ImproperlyConfigured(f"{file_key}: {file_name!r} is empty")
        return value
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


def integer(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    value = raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name}: expected an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{PREFIX}{name}: must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{PREFIX}{name}: must be at most {maximum}, got {number}")
    return number


def listing(name: str, default: list[str]) -> list[str]:
    """Comma-separated items; blanks around commas are ignored."""
    value = raw(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        if any(character.isspace() for character in item):
            raise ImproperlyConfigured(
                f"{PREFIX}{name}: separate items with commas, got {item!r} in {value!r}"
            )
    return items


def choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = string(name, default).strip().lower()
    if value not in allowed:
        raise ImproperlyConfigured(
            f"{PREFIX}{name}: expected one of {', '.join(allowed)}, got {value!r}"
        )
    return value


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(name: str, default: list[str]) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR networks (`10.0.0.0/8`, `192.0.2.7`, `::1`)."""
    found = []
    for item in listing(name, default):
        try:
            found.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{PREFIX}{name}: expected IP addresses or networks such as 10.0.0.0/8, "
                f"got {item!r}"
            ) from None
    return tuple(found)
