"""Values a school must still confirm (`to_confirm`), and which values of a rulebook they cover.

A key path covers every key under it: `programmes[*].tuition` covers the tuition of each
programme, `documents.requirements` every piece. Which keys are confirmed is told by the
caller (the catalogue records who confirmed what); these functions only compare paths.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from admissions.rules.schema import Rulebook, ToConfirm

_SEGMENT = re.compile(r"[^.\[\]]+|\[[^\]]*\]")


def _segments(path: str) -> list[str]:
    return _SEGMENT.findall(path)


def covers(key: str, path: str) -> bool:
    """Whether the key path `key` names `path` or a table that holds it ([*]: any item)."""
    wanted, actual = _segments(key), _segments(path)
    if len(wanted) > len(actual):
        return False
    for pattern, segment in zip(wanted, actual, strict=False):
        if pattern == "[*]" and segment.startswith("["):
            continue
        if pattern != segment:
            return False
    return True


def unconfirmed(rulebook: Rulebook, confirmed: Collection[str]) -> list[ToConfirm]:
    """The rulebook's values still to confirm, in its order."""
    return [item for item in rulebook.to_confirm if item.key not in confirmed]


def unconfirmed_at(rulebook: Rulebook, path: str, confirmed: Collection[str]) -> bool:
    """Whether the value at `path` is still to be confirmed by the school."""
    return any(covers(item.key, path) for item in unconfirmed(rulebook, confirmed))


def tuition_unconfirmed(
    rulebook: Rulebook, programme_slug: str, confirmed: Collection[str]
) -> bool:
    """Whether a programme's tuition comes from values still to be confirmed."""
    for index, programme in enumerate(rulebook.programmes):
        if programme.slug != programme_slug:
            continue
        if programme.tuition is not None:
            return unconfirmed_at(rulebook, f"programmes[{index}].tuition", confirmed)
        return unconfirmed_at(rulebook, "fees.tuition", confirmed)
    return False
