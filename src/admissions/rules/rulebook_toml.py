"""Writing a rulebook back to TOML, to a file that `parse_rulebook` reads to the same rules.

The standard library reads TOML but does not write it; a rulebook holds only tables, arrays
of tables, texts, booleans, integers, decimals and dates, which this short writer covers.
Amounts are written as texts ("60.00"): the rulebook refuses binary floats for money.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import Enum
from typing import Any

from admissions.rules.schema import Rulebook

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
HEADER = (
    "# Rulebook exported from the admissions platform: {name}, campaign {campaign}.\n"
    "# Loading it with load_rulebook gives the same catalogue; docs/rulebooks.md lists the keys.\n"
)


def rulebook_toml(rulebook: Rulebook) -> str:
    data = rulebook.model_dump(mode="python", exclude_none=True)
    header = HEADER.format(name=rulebook.institution.name, campaign=rulebook.campaign.slug)
    return header + dumps(data)


def dumps(data: dict[str, Any]) -> str:
    lines: list[str] = []
    _table(lines, [], data)
    return "\n".join(lines).strip() + "\n"


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _is_inline(value: Any) -> bool:
    # A small table of plain values (a text in two languages) reads best on one line.
    return (
        _is_table(value)
        and len(value) <= 3
        and all(not isinstance(v, dict | list) for v in value.values())
    )


def _table(lines: list[str], path: list[str], table: dict[str, Any]) -> None:
    nested: list[tuple[str, Any]] = []
    for key, value in table.items():
        if (_is_table(value) and not _is_inline(value)) or _is_table_array(value):
            nested.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in nested:
        inner = [*path, key]
        name = ".".join(_key(part) for part in inner)
        if _is_table(value):
            lines.extend(["", f"[{name}]"])
            _table(lines, inner, value)
        else:
            for item in value:
                lines.extend(["", f"[[{name}]]"])
                _table(lines, inner, item)


def _key(key: str) -> str:
    return key if BARE_KEY.fullmatch(key) else _string(key)


ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for char in text:
        if char in ESCAPES:
            out.append(ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return _value(value.value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        text = str(value)
        return format(value, "f") if "E" in text else text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    raise TypeError(f"no TOML form for {value!r}")
