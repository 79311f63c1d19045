"""Reading a rulebook file: TOML in, a validated `Rulebook` and the operator's warnings out.

Errors and warnings are lines "key.path: what is wrong", the key path written as in the file
(`programmes[2].site`, lists counted from 0), so that an operator can fix the file without
reading code. docs/rulebooks.md lists every key and every warning.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from admissions.rules.rulebook_checks import consistency_problems, key_path
from admissions.rules.schema import ACADEMIC_YEAR, COUNTRY, EMAIL, MONTH, SLUG, STORED, Rulebook
from admissions.rules.vocabulary import DocumentCondition

# A jury session this long after the campaign closes is probably a typing mistake.
LATE_SESSION = dt.timedelta(days=92)


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
    digest: str  # SHA-256 of the validated rules: comments and layout do not change it
    data: dict[str, Any]  # the validated rulebook as JSON-ready data
    source: str = "rulebook"


def parse_rulebook(text: str, *, source: str = "rulebook") -> LoadedRulebook:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulebookError(source, [f"not valid TOML: {error}"]) from None
    return validate_rulebook(raw, source=source)


def validate_rulebook(raw: dict[str, Any], *, source: str = "rulebook") -> LoadedRulebook:
    """Check rulebook data already read from TOML; every problem is reported at once."""
    try:
        rulebook = Rulebook.model_validate(raw)
    except ValidationError as error:
        raise RulebookError(source, describe_errors(error, raw)) from None
    data = rulebook.model_dump(mode="json")
    return LoadedRulebook(
        rulebook=rulebook,
        warnings=rulebook_warnings(rulebook),
        digest=data_digest(data),
        data=data,
        source=source,
    )


def read_rulebook(path: Path) -> LoadedRulebook:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RulebookError(str(path), [f"cannot be read: {error.strerror}"]) from None
    except UnicodeDecodeError:
        raise RulebookError(str(path), ["is not UTF-8 text"]) from None
    return parse_rulebook(text, source=str(path))


def rulebook_from_data(data: dict[str, Any]) -> Rulebook:
    """Rebuild a rulebook stored as JSON (as the catalogue keeps it), validated when loaded."""
    return Rulebook.model_validate(data, context={STORED: True})


def data_digest(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# Errors ---------------------------------------------------------------------------------

PATTERNS = {
    SLUG: 'expected a code of lowercase letters, digits and hyphens, such as "ms-cyber"',
    COUNTRY: 'expected a two-letter country code in capitals (ISO 3166), such as "FR"',
    MONTH: 'expected a month written YYYY-MM, such as "2024-03"',
    ACADEMIC_YEAR: 'expected an academic year written YYYY-YYYY, such as "2024-2025"',
    EMAIL: 'expected an email address, such as "admissions@example.org"',
}
EXPECTED_BY_TYPE = {
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected a text in quotes",
    "list_type": "expected a list [...]",
    "model_type": "expected a table",
    "model_attributes_type": "expected a table",
    "dict_type": "expected a table",
    "decimal_type": "expected a number",
    "decimal_parsing": "expected a number",
    "string_too_short": "expected a non-empty text",
}
RELATIVE_PATH = re.compile(r"^([a-z_][a-z0-9_]*(?:\[\d+\])*(?:\.[a-z_][a-z0-9_]*(?:\[\d+\])*)*): ")


def describe_errors(error: ValidationError, raw: Any) -> list[str]:
    """One line per problem, field errors first, then the checks across sections."""
    problems: list[str] = []
    for item in error.errors(include_url=False):
        if not item["loc"]:
            # The whole-rulebook checks; rerun on the raw data below so that they are
            # reported even when a section failed to validate.
            continue
        problems.extend(_describe(item))
    if isinstance(raw, dict):
        problems.extend(consistency_problems(raw))
    else:
        problems.append("the file must hold TOML tables")
    return list(dict.fromkeys(problems))


def _describe(item: ErrorDetails) -> list[str]:
    parts = tuple(part for part in item["loc"] if isinstance(part, str | int))
    path = key_path(*parts)
    kind = item["type"]
    given = _shown(item.get("input"))
    context = item.get("ctx") or {}
    if kind == "missing":
        return [f"{path}: missing; this key is required"]
    if kind == "extra_forbidden":
        return [f"{path}: unknown key{_known_keys(parts)}"]
    if kind in ("enum", "literal_error"):
        return [f"{path}: expected {context.get('expected', '')}, got {given}"]
    if kind == "value_error":
        message = str(item["msg"]).removeprefix("Value error, ")
        return [_joined(path, line) for line in message.splitlines() if line]
    if kind.startswith(("date", "datetime")):
        return [f"{path}: expected a date written YYYY-MM-DD, got {given}"]
    if kind == "string_pattern_mismatch":
        expected = PATTERNS.get(str(context.get("pattern")), "expected another form")
        return [f"{path}: {expected}, got {given}"]
    if kind == "too_short":
        count = context.get("min_length", 1)
        return [f"{path}: expected at least {count} item{'s' if count != 1 else ''}"]
    if kind in EXPECTED_BY_TYPE:
        return [f"{path}: {EXPECTED_BY_TYPE[kind]}, got {given}"]
    message = str(item["msg"]).replace("Input should be", "expected")
    return [f"{path}: {message[:1].lower()}{message[1:]}, got {given}"]


def _joined(path: str, line: str) -> str:
    """A validator's "sub.key: message" is relative to the table it validates."""
    match = RELATIVE_PATH.match(line)
    if match is None:
        return f"{path}: {line}" if path else line
    relative = match.group(1)
    rest = line[match.end() :]
    return f"{path}.{relative}: {rest}" if path else f"{relative}: {rest}"


def _known_keys(parts: tuple[str | int, ...]) -> str:
    model = _model_at(parts[:-1])
    if model is None:
        return ""
    known = list(model.model_fields)
    close = difflib.get_close_matches(str(parts[-1]), known, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return f"{hint}; expected one of: {', '.join(known)}"


def _model_at(parts: tuple[str | int, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] = Rulebook
    for part in parts:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        inner = _model_in(field.annotation) if field else None
        if inner is None:
            return None
        model = inner
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return repr(value)


# Warnings -------------------------------------------------------------------------------


def rulebook_warnings(rulebook: Rulebook) -> list[str]:
    """What an operator should look at although the rulebook is usable."""
    warnings: list[str] = []
    for check in (
        _stated_dates,
        _cvec_year,
        _jury_sessions,
        _routes,
        _documents,
        _deposit,
        _start_dates,
    ):
        warnings.extend(check(rulebook))
    return warnings


def _stated_dates(rulebook: Rulebook) -> list[str]:
    warnings = []
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
    return warnings


def _cvec_year(rulebook: Rulebook) -> list[str]:
    cvec = rulebook.fees.cvec
    taught = rulebook.campaign.teaching_year
    if cvec is None or int(cvec.reference_year[:4]) >= int(taught[:4]):
        return []
    return [
        f"fees.cvec.reference_year: the CVEC amount is the {cvec.reference_year} one, older "
        f"than the year taught ({taught}); it is set every year, check it for this campaign"
    ]


def _jury_sessions(rulebook: Rulebook) -> list[str]:
    warnings = []
    campaign = rulebook.campaign
    first_month = campaign.opens_on.strftime("%Y-%m")
    last_month = (campaign.closes_on.date + LATE_SESSION).strftime("%Y-%m")
    for index, session in enumerate(rulebook.jury_sessions):
        if session.date is None:
            warnings.append(
                f"{key_path('jury_sessions', index, 'date')}: only the month {session.month} "
                "is known; set the date once the jury is scheduled"
            )
        if not first_month <= session.month <= last_month:
            warnings.append(
                f"{key_path('jury_sessions', index, 'month')}: {session.month} is far from the "
                f"campaign ({campaign.opens_on} to {campaign.closes_on.date}); check the year"
            )
    if not rulebook.jury_sessions and not rulebook.jury.rolling:
        warnings.append(
            "jury_sessions: none defined and jury.rolling is false; files go to the jury as "
            "they are ready"
        )
    return warnings


def _routes(rulebook: Rulebook) -> list[str]:
    return [
        f'{key_path("programmes", index)}: no entry route applies to "{programme.slug}"; '
        "nobody is eligible"
        for index, programme in enumerate(rulebook.programmes)
        if not rulebook.routes_for(programme.slug)
    ]


def _documents(rulebook: Rulebook) -> list[str]:
    warnings = []
    conditions = {item.condition for item in rulebook.documents.requirements}
    if rulebook.language and DocumentCondition.FRENCH_CERTIFICATE_NEEDED not in conditions:
        warnings.append(
            "language: a French level is required but no documents.requirements entry has "
            'condition "french_certificate_needed", so no certificate is asked for'
        )
    if not any(mode.region_funded for mode in rulebook.financing_modes):
        warnings.extend(
            f"{key_path('documents', 'requirements', index, 'condition')}: "
            '"region_funded", but no financing mode has region_funded = true, so this '
            "document is never asked for"
            for index, item in enumerate(rulebook.documents.requirements)
            if item.condition == DocumentCondition.REGION_FUNDED
        )
    return warnings


def _deposit(rulebook: Rulebook) -> list[str]:
    deposit = rulebook.fees.deposit
    if deposit is None:
        return []
    offered = {track for programme in rulebook.programmes for track in programme.tracks}
    return [
        f"{key_path('fees', 'deposit', 'tracks', index)}: no programme offers the "
        f'"{track.value}" track'
        for index, track in enumerate(deposit.tracks)
        if track not in offered
    ]


def _start_dates(rulebook: Rulebook) -> list[str]:
    warnings = []
    closes_on = rulebook.campaign.closes_on.date
    for index, programme in enumerate(rulebook.programmes):
        if programme.starts_on and programme.starts_on <= closes_on:
            warnings.append(
                f"{key_path('programmes', index, 'starts_on')}: {programme.starts_on} is not "
                f"after campaign.closes_on ({closes_on})"
            )
    undated = [programme.slug for programme in rulebook.programmes if not programme.starts_on]
    for index, mode in enumerate(rulebook.financing_modes):
        if mode.request_weeks_before_start is not None and undated:
            warnings.append(
                f"{key_path('financing_modes', index, 'request_weeks_before_start')}: "
                f"programmes {', '.join(undated)} have no starts_on, so the date by which "
                "to ask cannot be computed"
            )
    return warnings
