"""The TOML writer gives back what it was given, and the differences name each key path."""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from admissions.rules.rulebook import parse_rulebook, validate_rulebook
from admissions.rules.rulebook_diff import Difference, differences
from admissions.rules.rulebook_toml import dumps, rulebook_toml
from tests.factories import RULEBOOKS, rulebook_raw

KEYS = st.text(min_size=1, max_size=12)
SCALARS = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.text(max_size=40)
    | st.dates(min_value=dt.date(1, 1, 1))
)
TABLES = st.recursive(
    st.dictionaries(KEYS, SCALARS | st.lists(SCALARS, max_size=3), max_size=4),
    lambda inner: st.dictionaries(
        KEYS, inner | st.lists(inner, min_size=1, max_size=3) | SCALARS, max_size=4
    ),
    max_leaves=20,
)


def _comparable(value: Any) -> Any:
    # A list of tables that are all empty reads back as such; nothing else is changed.
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def test_a_key_ending_in_a_line_break_is_quoted() -> None:
    # A bare-key pattern anchored with `$` lets "a\n" through, and the file would not load.
    assert tomllib.loads(dumps({"a\n": 1, "b": {"c\n": True}})) == {"a\n": 1, "b": {"c\n": True}}


@given(TABLES)
def test_any_table_reads_back_the_same(table: dict[str, Any]) -> None:
    assert tomllib.loads(dumps(table)) == _comparable(table)


def test_decimals_and_amounts_keep_their_digits() -> None:
    text = dumps({"a": Decimal("2.5"), "b": Decimal("10"), "c": "60.00", "d": Decimal("1E+1")})
    assert tomllib.loads(text) == {"a": 2.5, "b": 10, "c": "60.00", "d": 10}


def test_both_presets_read_back_to_the_same_rules() -> None:
    for path in RULEBOOKS.glob("*.toml"):
        loaded = validate_rulebook(rulebook_raw(path.stem))
        again = parse_rulebook(rulebook_toml(loaded.rulebook))
        assert again.digest == loaded.digest, path.name


def test_differences_name_tables_of_a_list_by_their_slug() -> None:
    old = {"programmes": [{"slug": "a", "capacity": 20}, {"slug": "b", "capacity": 30}]}
    new = {"programmes": [{"slug": "b", "capacity": 35}, {"slug": "a", "capacity": 20}]}
    assert differences(old, new) == [Difference("programmes[b].capacity", 30, 35)]


def test_a_table_added_or_removed_is_one_difference() -> None:
    old = {"jury_sessions": [{"slug": "june", "month": "2025-06"}]}
    new = {"jury_sessions": [{"slug": "july", "month": "2025-07"}]}
    assert differences(old, new) == [
        Difference("jury_sessions[june]", {"slug": "june", "month": "2025-06"}, None),
        Difference("jury_sessions[july]", None, {"slug": "july", "month": "2025-07"}),
    ]
    assert differences({"a": {"b": 1}}, {"a": {"b": 1}}) == []
    assert differences({"a": 1}, {}) == [Difference("a", 1, None)]
