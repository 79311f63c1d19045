"""A grid of the rulebook's criteria, each with a score out of 20 and a comment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from admissions.core.errors import ValidationFailed
from admissions.rules.schema import Criterion

MAX_SCORE = 20


@dataclass(frozen=True)
class Score:
    score: int
    comment: str = ""


def checked_grid(criteria: list[Criterion], scores: Mapping[str, Score]) -> dict[str, Any]:
    """The scores as stored, in the rulebook's order; every criterion scored, no other."""
    codes = [criterion.code for criterion in criteria]
    unknown = sorted(set(scores) - set(codes))
    if unknown:
        raise ValidationFailed(
            _("These criteria are not in the rulebook: %(codes)s.") % {"codes": ", ".join(unknown)},
            details={"criteria": unknown},
        )
    missing = [code for code in codes if code not in scores]
    if missing:
        raise ValidationFailed(
            _("Score every criterion of the grid."), details={"criteria": missing}
        )
    grid: dict[str, Any] = {}
    for code in codes:
        given = scores[code]
        if not 0 <= given.score <= MAX_SCORE:
            raise ValidationFailed(
                _("A score is between 0 and %(max)s.") % {"max": MAX_SCORE},
                details={"criterion": code},
            )
        grid[code] = {"score": given.score, "comment": given.comment.strip()}
    return grid
