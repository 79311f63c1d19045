"""What changed between two versions of a rulebook, key path by key path.

Lists of tables are matched by their `slug` or `code`, so that a programme's capacity reads
`programmes[ms-cybersecurite].capacity` whatever its position, and a table added or removed
reads as one change of the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Difference:
    path: str
    old: Any  # None: added
    new: Any  # None: removed


def differences(old: Any, new: Any, path: str = "") -> list[Difference]:
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[Difference] = []
        for key in [*old, *(k for k in new if k not in old)]:
            inner = f"{path}.{key}" if path else key
            found += differences(old.get(key), new.get(key), inner)
        return found
    if _keyed(old) and _keyed(new):
        before, after = _by_key(old), _by_key(new)
        found = []
        for key in [*before, *(k for k in after if k not in before)]:
            found += differences(before.get(key), after.get(key), f"{path}[{key}]")
        return found
    return [] if old == new else [Difference(path, old, new)]


def _key_of(item: dict[str, Any]) -> str | None:
    value = item.get("slug", item.get("code"))
    return str(value) if value is not None else None


def _keyed(value: Any) -> bool:
    return (
        isinstance(value, list)
        and all(isinstance(item, dict) and _key_of(item) is not None for item in value)
        and bool(value)
    )


def _by_key(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(_key_of(item)): item for item in items}
