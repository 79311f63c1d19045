"""The two test rulebooks of tests/payments/fixtures, read once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from admissions.rules.rulebook import LoadedRulebook, read_rulebook
from admissions.rules.schema import Rulebook

FIXTURES = Path(__file__).parent / "fixtures"


@cache
def loaded(name: str) -> LoadedRulebook:
    return read_rulebook(FIXTURES / f"rulebook-{name}.toml")


def nord() -> Rulebook:
    """Bank-transfer fee, tuition by funding, CVEC, three instalments, visa refund."""
    return loaded("nord").rulebook


def bs() -> Rulebook:
    """Card fee, a deposit for work-study, deposit refunds by funding agreement."""
    return loaded("bs").rulebook
