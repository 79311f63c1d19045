"""A catalogue exported as a rulebook TOML loads back to the same catalogue, in an empty
database, for both shipped presets, as loaded and after changes made in the back office."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from admissions.catalog.models import Campaign, Institution, JurySession, Programme, Site
from admissions.people.models import Role
from admissions.rules.rulebook_toml import rulebook_toml
from admissions.workflow.catalogue import apply_change, rulebook_data
from tests.factories import RULEBOOKS, load_preset, staff_member

pytestmark = pytest.mark.django_db
PRESETS = sorted(path.stem for path in RULEBOOKS.glob("*.toml"))
SKIPPED = {"id", "institution", "campaign", "site", "updated_at"}


def _rows(model: Any, **order: Any) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in model_to_dict(row).items() if k not in SKIPPED}
        for row in model.objects.order_by("slug")
    ]


def catalogue() -> dict[str, Any]:
    """Every catalogue row by its slugs, without ids and times."""
    return {
        "institutions": _rows(Institution),
        "sites": _rows(Site),
        "programmes": [
            {**row, "site": programme.site.slug}
            for row, programme in zip(
                _rows(Programme), Programme.objects.order_by("slug"), strict=True
            )
        ],
        "campaigns": _rows(Campaign),
        "jury_sessions": _rows(JurySession),
    }


def export_and_reload(campaign: Campaign, folder: Path) -> None:
    path = folder / "exported.toml"
    path.write_text(rulebook_toml(campaign.rules), encoding="utf-8")
    Programme.objects.all().delete()  # their site is protected
    Institution.objects.all().delete()  # cascades to the rest of the catalogue
    assert not Campaign.objects.exists()
    assert not Programme.objects.exists()
    call_command("load_rulebook", str(path), verbosity=0)


@pytest.mark.parametrize("preset", PRESETS)
def test_a_preset_exported_loads_to_the_same_catalogue(preset: str, tmp_path: Path) -> None:
    campaign = load_preset(preset)
    before = catalogue()
    export_and_reload(campaign, tmp_path)
    assert catalogue() == before


@pytest.mark.parametrize("preset", PRESETS)
def test_changes_made_in_the_back_office_survive_the_round_trip(
    preset: str, tmp_path: Path
) -> None:
    campaign = load_preset(preset)
    admin = staff_member(Role.INSTITUTION_ADMIN, institution=campaign.institution)
    data = rulebook_data(campaign)
    data["programmes"][0]["capacity"] += 7
    data["fees"]["application"]["amount"] = "99.50"
    if not data["jury"].get("rolling"):  # a rolling jury has no sessions
        extra = {"fr": "Jury de rattrapage", "en": "Extra jury"}
        month = data["campaign"]["closes_on"]["date"][:7]
        data["jury_sessions"].append({"slug": "jury-extra", "name": extra, "month": month})
    apply_change(campaign, data, by=admin, kind="programme", based_on=campaign.rulebook_digest)
    campaign.refresh_from_db()
    before = catalogue()
    assert (
        Programme.objects.get(slug=data["programmes"][0]["slug"]).capacity
        == (data["programmes"][0]["capacity"])
    )
    export_and_reload(campaign, tmp_path)
    assert catalogue() == before
    reloaded = Campaign.objects.get()
    assert str(reloaded.rules.fees.application.amount) == "99.50"
    assert reloaded.rulebook_digest == campaign.rulebook_digest
