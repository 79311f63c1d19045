"""Reading a rulebook file: TOML in, a validated `Rulebook` and the operator's warnings out."""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from admissions.rules.schema import Rulebook


class RulebookError(ValueError):
    """A rulebook that cannot be used; `problems` has one "key.path: what is wrong" each."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{source}: the rulebook is refused:\n{listing}")


@dataclass(frozen=True)
class LoadedRulebook:
    rulebook: Rulebook
    warnings: list[str]
    digest: str  # SHA-256 of the source text, to tell whether anything changed
    data: dict[str, Any]  # the validated rulebook as JSON-ready data


def parse_rulebook(text: str, *, source: str = "rulebook") -> LoadedRulebook:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulebookError(source, [f"not valid TOML: {error}"]) from None
    try:
        rulebook = Rulebook.model_validate(raw)
    except ValidationError as error:
        raise RulebookError(source, describe_errors(error, raw)) from None
    return LoadedRulebook(
        rulebook=rulebook,
        warnings=rulebook_warnings(rulebook),
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        data=rulebook.model_dump(mode="json"),
    )


def read_rulebook(path: Path) -> LoadedRulebook:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RulebookError(str(path), [f"cannot be read: {error.strerror}"]) from None
    except UnicodeDecodeError:
        raise RulebookError(str(path), ["is not UTF-8 text"]) from None
    return parse_rulebook(text, source=path.name)


def rulebook_from_data(data: dict[str, Any]) -> Rulebook:
    """Rebuild a rulebook stored as JSON (as the catalogue keeps it)."""
    return Rulebook.model_validate(data)


def describe_errors(error: ValidationError, raw: Any) -> list[str]:
    problems: list[str] = []
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in item["loc"])
        kind = item["type"]
        message = str(item["msg"]).removeprefix("Value error, ")
        if kind == "missing":
            problems.append(f"{path}: missing, this key is required")
        elif kind == "extra_forbidden":
            problems.append(f"{path}: unknown key (check its spelling in docs/rulebooks.md)")
        elif kind in ("enum", "literal_error"):
            expected = item.get("ctx", {}).get("expected", "")
            problems.append(f"{path}: expected {expected}, got {_shown(item.get('input'))}")
        elif kind == "value_error" and not path:
            problems.extend(line for line in message.splitlines() if line)
        elif kind == "value_error":
            problems.append(f"{path}: {message}")
        else:
            problems.append(f"{path}: {_lower_first(message)}, got {_shown(item.get('input'))}")
    return problems


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def rulebook_warnings(rulebook: Rulebook) -> list[str]:
    """What an operator should look at although the rulebook is usable."""
    warnings: list[str] = []
    campaign = rulebook.campaign
    for key, dated in (
        ("campaign.closes_on", campaign.closes_on),
        ("campaign.international_deadline", campaign.international_deadline),
    ):
        if dated is None:
            continue
        others = sorted({day for day in dated.also_stated if day != dated.date})
        if others:
            listed = ", ".join(day.isoformat() for day in others)
            warnings.append(
                f"{key}: the source documents also state {listed} for this deadline; "
                f"{dated.date.isoformat()} is the one applied"
            )
    cvec = rulebook.fees.cvec
    if cvec is not None:
        campaign_year = campaign.opens_on.year
        start = int(cvec.reference_year[:4])
        if start < campaign_year or (start == campaign_year and campaign.opens_on.month < 7):
            warnings.append(
                f"fees.cvec.reference_year: the CVEC amount is the {cvec.reference_year} one; "
                "it is set every year, check it for this campaign"
            )
    for index, session in enumerate(rulebook.jury_sessions):
        if session.date is None:
            warnings.append(
                f"jury_sessions.{index}.date: only the month {session.month} is known; "
                "set the date when the jury is scheduled"
            )
        elif session.date > campaign.closes_on.date + dt.timedelta(days=60):
            warnings.append(f"jury_sessions.{index}.date: more than 60 days after closing")
    if not rulebook.jury_sessions:
        warnings.append("jury_sessions: none defined; files go to the jury as they are ready")
    for index, programme in enumerate(rulebook.programmes):
        if not rulebook.routes_for(programme.slug):
            warnings.append(f"programmes.{index}: no entry route applies to {programme.slug!r}")
    return warnings
