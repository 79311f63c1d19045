"""The rulebook loader, fed with the shipped rulebooks changed at random.

Each example takes a shipped rulebook and changes one key: deleted, given a value of another
type, a figure out of range, a date that does not exist or is centuries away, a wrong IBAN,
text with any character, a duplicated list entry, an unknown key. The loader must answer
with a loaded rulebook, or refuse with problems that each start with the key they concern,
one of them naming the changed key; any other exception is a crash.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from admissions.rules.rulebook import RulebookError, parse_rulebook, validate_rulebook
from admissions.rules.rulebook_checks import key_path
from admissions.rules.rulebook_toml import dumps
from tests.factories import RULEBOOKS, rulebook_raw
from tests.fuzz.values import UNICODE

PRESETS = sorted(path.stem for path in RULEBOOKS.glob("*.toml"))
Path_ = tuple[str | int, ...]

# Values of every TOML type, and the mistakes an operator makes in each.
ODD_VALUES = st.one_of(
    st.sampled_from(
        [
            0,
            -1,
            2**63 - 1,
            -(2**63),
            10**12,
            1.5,
            True,
            "",
            " ",
            "\x00",
            "1E26",
            "-7500",
            "7500,505",
            "2024-02-30",
            "2024-13-01",
            "FR76 3000 6000 0112 3456 7890 188",  # a wrong check digit
            "DE00 0000 0000",
            "XX12",
            "not-a-slug Ω",
            [],
            {},
            [1, "a"],
            {"unknown": 1},
            dt.date(1, 1, 1),
            dt.date(9999, 12, 31),
            dt.datetime(2024, 3, 1, 12, 0),
        ]
    ),
    st.text(UNICODE, max_size=30),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)


def paths(value: Any, prefix: Path_ = ()) -> list[Path_]:
    found: list[Path_] = []
    items: list[tuple[str | int, Any]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    for key, inner in items:
        found.append((*prefix, key))
        found.extend(paths(inner, (*prefix, key)))
    return found


def _parent(raw: dict[str, Any], path: Path_) -> Any:
    node: Any = raw
    for part in path[:-1]:
        node = node[part]
    return node


@st.composite
def mutated(draw: st.DrawFn) -> tuple[dict[str, Any], Path_, Any]:
    raw = copy.deepcopy(rulebook_raw(draw(st.sampled_from(PRESETS))))
    path = draw(st.sampled_from(paths(raw)))
    parent, last = _parent(raw, path), path[-1]
    old = copy.deepcopy(parent[last])
    operation = draw(st.sampled_from(["delete", "replace", "duplicate", "extra"]))
    if operation == "delete":
        del parent[last]
    elif operation == "replace":
        parent[last] = draw(ODD_VALUES)
    elif operation == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    elif operation == "extra" and isinstance(parent, dict):
        parent[draw(st.from_regex(r"[a-z_]{1,12}", fullmatch=True))] = draw(ODD_VALUES)
    else:
        parent[last] = draw(ODD_VALUES)
    return raw, path, old


PROBLEM = re.compile(
    r"^(?P<path>[a-z_][a-z0-9_]*(?:\[\d+\])*(?:\.[a-z_][a-z0-9_]*(?:\[\d+\])*)*): \S"
)


def _top(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _names_in(value: Any) -> set[str]:
    """The codes an entry is known by elsewhere in the rulebook."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {str(value[key]) for key in ("code", "slug", "key") if key in value}
    return set()


def check_refusal(refusal: RulebookError, path: Path_, old: Any) -> None:
    assert refusal.problems
    named = []
    for problem in refusal.problems:
        match = PROBLEM.match(problem)
        assert match, f"a problem that names no key: {problem!r}"
        named.append(match["path"])
    changed = key_path(*path)
    # The changed key, a table holding it, a key of the same section, a key elsewhere that
    # referred to what was changed by its code, or one that needs the changed key and names
    # it ("needs a [language] table").
    problems = refusal.problems
    assert (
        any(
            changed.startswith(name) or name.startswith(changed) or _top(name) == _top(changed)
            for name in named
        )
        or any(f'"{code}"' in problem for code in _names_in(old) for problem in problems)
        or any(
            re.search(rf"\b{re.escape(key)}\b", problem)
            for key in path
            if isinstance(key, str)
            for problem in problems
        )
    ), (changed, problems)


@settings(max_examples=300, deadline=None)
@given(mutated())
def test_a_changed_rulebook_is_loaded_or_refused_key_by_key(
    example: tuple[dict[str, Any], Path_, Any],
) -> None:
    raw, path, old = example
    try:
        validate_rulebook(raw, source="fuzz.toml")
    except RulebookError as refusal:
        check_refusal(refusal, path, old)


@st.composite
def damaged_text(draw: st.DrawFn) -> str:
    text = (RULEBOOKS / f"{draw(st.sampled_from(PRESETS))}.toml").read_text(encoding="utf-8")
    at = draw(st.integers(0, len(text)))
    kind = draw(st.sampled_from(["cut", "insert", "overwrite"]))
    if kind == "cut":
        return text[:at]
    extra = draw(st.text(UNICODE, min_size=1, max_size=20))
    if kind == "insert":
        return text[:at] + extra + text[at:]
    return text[:at] + extra + text[at + len(extra) :]


@settings(max_examples=200, deadline=None)
@given(damaged_text())
def test_a_damaged_rulebook_file_is_loaded_or_refused_in_sentences(text: str) -> None:
    try:
        parse_rulebook(text, source="fuzz.toml")
    except RulebookError as refusal:
        problems = refusal.problems
    else:
        problems = ["loaded"]
    assert problems
    assert all(isinstance(problem, str) and problem.strip() for problem in problems)


@pytest.mark.one_engine
@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(example=mutated())
def test_the_load_rulebook_command_loads_or_refuses_a_changed_rulebook(
    example: tuple[dict[str, Any], Path_, Any], tmp_path: Path
) -> None:
    raw, _path, _old = example
    try:
        text = dumps(raw)
    except (TypeError, ValueError):
        return  # a value TOML cannot write (the changed data went beyond TOML's types)
    file = tmp_path / "fuzz.toml"
    file.write_text(text, encoding="utf-8")
    try:
        call_command("load_rulebook", str(file), verbosity=0)
    except CommandError as refused:
        told = str(refused)
    else:
        told = "loaded"
    assert "refused" in told or told == "loaded"
