"""Catalogue rows loaded from the shipped rulebooks, with the campaign dates a test needs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

from admissions.catalog.models import Campaign
from admissions.catalog.services import load_rulebook
from admissions.rules.rulebook import LoadedRulebook
from admissions.rules.schema import Rulebook

RULEBOOKS = Path(__file__).resolve().parents[2] / "src" / "admissions" / "rulebooks"


def open_campaign(
    preset: str,
    *,
    opens_on: dt.date,
    closes_on: dt.date,
    international_deadline: dt.date | None = None,
    slug_suffix: str = "",
    extra_programmes: int = 0,
) -> Campaign:
    """The institution of `preset` (renamed with `slug_suffix`), its programmes and campaign."""
    raw: dict[str, Any] = tomllib.loads((RULEBOOKS / f"{preset}.toml").read_text("utf-8"))
    raw["campaign"]["opens_on"] = opens_on
    raw["campaign"]["closes_on"] = {"date": closes_on}
    if international_deadline:
        raw["campaign"]["international_deadline"] = {"date": international_deadline}
    else:
        raw["campaign"].pop("international_deadline", None)
    # The preset's jury sessions may fall before the campaign opens at the dates chosen here.
    raw.pop("jury_sessions", None)
    raw["institution"]["slug"] += slug_suffix
    raw["institution"]["name"] += slug_suffix
    template = raw["programmes"][0]
    raw["programmes"] += [
        template
        | {
            "slug": f"extra-{number}",
            "name": {"fr": f"Programme supplémentaire {number}", "en": f"Extra programme {number}"},
            "description": {"fr": "Un programme de plus.", "en": "One more programme."},
        }
        for number in range(extra_programmes)
    ]
    rules = Rulebook.model_validate(raw)
    data = rules.model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    load_rulebook(LoadedRulebook(rulebook=rules, warnings=[], digest=digest, data=data))
    return Campaign.objects.get(institution__slug=rules.institution.slug, slug=rules.campaign.slug)
