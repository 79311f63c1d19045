"""Demonstration campaigns: the shipped rules, moved to the academic year under way.

The presets describe the 2024-2025 session, which is over; a demonstration needs a campaign
open today. The rules stay those of the preset, only every date moves by whole years.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

from admissions.catalog.services import LoadReport, load_rulebook
from admissions.rules.rulebook import validate_rulebook

_YEAR = re.compile(r"\b(20[2-3]\d)\b")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# Only texts and identifiers carry years; amounts such as "2025" EUR must not move.
_TEXT_KEYS = frozenset({"fr", "en", "slug", "academic_year"})


def shift_date(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def years_to_open(opens_on: dt.date, closes_on: dt.date, today: dt.date) -> int:
    """The fewest whole years that move the window [opens_on, closes_on] over `today`."""
    years = today.year - closes_on.year
    while shift_date(closes_on, years) < today:
        years += 1
    while years > 0 and shift_date(opens_on, years - 1) <= today <= shift_date(
        closes_on, years - 1
    ):
        years -= 1
    return years


def shifted(value: Any, years: int, key: str = "") -> Any:
    if isinstance(value, dict):
        return {name: shifted(item, years, name) for name, item in value.items()}
    if isinstance(value, list):
        return [shifted(item, years, key) for item in value]
    if isinstance(value, dt.date):
        return shift_date(value, years)
    if isinstance(value, str) and key == "month" and _MONTH.match(value):
        year, month = _MONTH.match(value).groups()  # type: ignore[union-attr]
        return f"{int(year) + years}-{month}"
    if isinstance(value, str) and key in _TEXT_KEYS:
        return _YEAR.sub(lambda match: str(int(match[1]) + years), value)
    return value


def demo_rulebook_data(path: Path, today: dt.date) -> dict[str, Any]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    campaign = raw["campaign"]
    closes = campaign["closes_on"]
    closes_on = closes["date"] if isinstance(closes, dict) else closes
    years = years_to_open(campaign["opens_on"], closes_on, today)
    data: dict[str, Any] = shifted(raw, years)
    # Keep the figures of the source untouched: the CVEC amount is that of its own year.
    data["campaign"]["slug"] = f"{data['campaign']['slug']}-demo"
    for language, suffix in (("fr", " (démonstration)"), ("en", " (demonstration)")):
        data["campaign"]["name"][language] += suffix
    return data


def load_demo_campaign(path: Path, today: dt.date) -> LoadReport:
    loaded = validate_rulebook(demo_rulebook_data(path, today), source=f"{path.name} (demo)")
    return load_rulebook(loaded)
