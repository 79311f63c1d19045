"""Rulebooks parsed once per process, found again by the hash of their content.

Validating a rulebook's JSON into a `Rulebook` takes milliseconds, and every page of a file
reads its campaign's rules. A campaign's rulebook is frozen and its digest is the SHA-256 of
its content (`rules.rulebook.data_digest`, kept in step by `Campaign.save`), so the parsed
rules of a digest never change: they are kept here, shared by every campaign and institution
that holds the same rules, and never need to be invalidated. A new rulebook has a new digest.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from admissions.rules.rulebook import data_digest, rulebook_from_data
from admissions.rules.rulebook_checks import values_at
from admissions.rules.schema import Rulebook

# A school has a few campaigns a year; this bounds memory if rulebooks are reloaded often.
KEPT = 32

_parsed: OrderedDict[str, Rulebook] = OrderedDict()
# The values at each `to_confirm` key of a digest, as the stored JSON holds them.
_to_confirm: OrderedDict[str, dict[str, Any]] = OrderedDict()
_lock = threading.Lock()


def parsed_rulebook(digest: str, data: Callable[[], dict[str, Any]]) -> Rulebook:
    """The rules of `digest`; `data` gives the stored JSON, read only when not parsed yet.

    A row saved before digests were kept has none: its content is hashed instead.
    """
    content = None
    if not digest:
        content = data()
        digest = data_digest(content)
    with _lock:
        rules = _parsed.get(digest)
        if rules is not None:
            _parsed.move_to_end(digest)
            return rules
    # Two threads may both parse a new digest: the same rules, and the last one is kept.
    rules = rulebook_from_data(data() if content is None else content)
    with _lock:
        _parsed[digest] = rules
        while len(_parsed) > KEPT:
            _parsed.popitem(last=False)
    return rules


def values_to_confirm(digest: str, data: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The value at each `to_confirm` key of the rules of `digest` (key paths of the JSON),
    found once per process like the rules themselves: `data` is read only the first time."""
    content = None
    if not digest:
        content = data()
        digest = data_digest(content)
    with _lock:
        found = _to_confirm.get(digest)
        if found is not None:
            _to_confirm.move_to_end(digest)
            return found
    content = data() if content is None else content
    rules = parsed_rulebook(digest, lambda: content)
    found = {item.key: values_at(content, item.key) for item in rules.to_confirm}
    with _lock:
        _to_confirm[digest] = found
        while len(_to_confirm) > KEPT:
            _to_confirm.popitem(last=False)
    return found


def clear() -> None:
    """Forget every parsed rulebook (the next read parses again)."""
    with _lock:
        _parsed.clear()
        _to_confirm.clear()
