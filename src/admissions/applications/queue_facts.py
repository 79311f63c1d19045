"""The columns the staff's queue filters and sorts on, copied onto a file at submission.

Pure: the submission service and the migration that filled older files both call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from admissions.rules.countries import is_eu, is_france


def queue_facts(
    *,
    eligibility: Mapping[str, Any],
    nationality: str,
    residence_country: str,
    family_name: str,
    given_names: str,
    email: str,
) -> dict[str, Any]:
    """The route judged at submission, the nationality group, residence, a name to sort by.

    An unknown country leaves its group unknown (None) rather than guessing.
    """
    name = f"{family_name} {given_names}".strip() or email
    return {
        "entry_route": str(eligibility.get("route") or "")[:60],
        "eu_national": is_eu(nationality) if nationality else None,
        "lives_abroad": not is_france(residence_country) if residence_country else None,
        "sort_name": name.casefold()[:300],
    }
