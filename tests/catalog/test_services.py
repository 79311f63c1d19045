"""Loading rulebooks into the catalogue: complete, idempotent, all or nothing."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from admissions.catalog.models import Campaign, Institution, JurySession, Programme, Site
from admissions.catalog.services import Action, LoadReport, load_rulebook
from admissions.rulebooks import preset_path
from admissions.rules.rulebook import LoadedRulebook, read_rulebook, validate_rulebook

pytestmark = pytest.mark.django_db
MODELS = (Institution, Site, Programme, Campaign, JurySession)


def raw(slug: str) -> dict[str, Any]:
    return tomllib.loads(preset_path(slug).read_text(encoding="utf-8"))


def load(slug: str) -> LoadReport:
    return load_rulebook(read_rulebook(preset_path(slug)))


def load_raw(data: dict[str, Any]) -> LoadReport:
    return load_rulebook(validate_rulebook(data, source="edited.toml"))


def snapshot() -> dict[tuple[str, int], tuple[object, ...]]:
    """Every catalogue row with its last change time and values."""
    rows: dict[tuple[str, int], tuple[object, ...]] = {}
    for model in MODELS:
        for row in model.objects.all():
            values = tuple(getattr(row, field.attname) for field in model._meta.concrete_fields)
            rows[(model.__name__, row.pk)] = values
    return rows


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_both_presets_builds_the_catalogue() -> None:
    bs, nord = load("imt-bs"), load("imt-nord-europe")
    assert counts() == {
        "Institution": 2,
        "Site": 3,
        "Programme": 8,
        "Campaign": 2,
        "JurySession": 4,
    }
    assert {change.action for change in bs.changes + nord.changes} == {Action.CREATED}
    assert len(nord.changes) == 12
    assert nord.summary() == "12 created, 0 updated, 0 unchanged, 0 deactivated, 7 warnings"

    loaded = read_rulebook(preset_path("imt-nord-europe"))
    institution = Institution.objects.get(slug="imt-nord-europe")
    assert institution.contact_email == "masteres.specialises@imt-nord-europe.fr"
    assert institution.rulebook == loaded.data
    assert institution.rulebook_digest == loaded.digest
    assert institution.rules == loaded.rulebook

    campaign = Campaign.objects.get(institution=institution, slug="2024-2025")
    assert (campaign.opens_on, campaign.closes_on) == (dt.date(2023, 9, 15), dt.date(2024, 6, 7))
    assert campaign.international_deadline == dt.date(2024, 3, 17)
    assert campaign.academic_year == "2024-2025"
    assert campaign.rulebook_digest == loaded.digest
    assert campaign.rules.fees.application.amount == 60
    assert [session.month for session in campaign.jury_sessions.order_by("month")] == [
        "2024-03",
        "2024-04",
        "2024-05",
        "2024-06",
    ]

    cyber = Programme.objects.get(institution=institution, slug="ms-cybersecurite")
    assert cyber.site.slug == "lille"
    assert (cyber.duration_months, cyber.internship_months, cyber.capacity) == (12, 6, 24)
    assert cyber.tracks == ["full_time"]
    douai = Site.objects.get(institution=institution, slug="douai")
    assert douai.programmes.count() == 3
    assert douai.phone == "03 27 71 20 30"


def test_loading_the_same_file_twice_changes_nothing() -> None:
    load("imt-bs")
    load("imt-nord-europe")
    before, rows_before = counts(), snapshot()
    with CaptureQueriesContext(connection) as queries:
        again = [load("imt-bs"), load("imt-nord-europe")]
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert counts() == before
    assert snapshot() == rows_before
    for report in again:
        assert not report.changed
        assert {change.action for change in report.changes} == {Action.UNCHANGED}


def test_a_changed_value_updates_only_its_rows() -> None:
    load("imt-nord-europe")
    rows_before = snapshot()
    data = raw("imt-nord-europe")
    data["programmes"][1]["capacity"] = 22
    report = load_raw(data)
    updated = {
        (change.kind, change.key): change.fields
        for change in report.changes
        if change.action == Action.UPDATED
    }
    assert updated == {
        ("institution", "imt-nord-europe"): ("rulebook", "rulebook_digest"),
        ("programme", "ms-transition-energetique"): ("capacity",),
        ("campaign", "2024-2025"): ("rulebook", "rulebook_digest"),
    }
    programme = Programme.objects.get(slug="ms-transition-energetique")
    assert programme.capacity == 22
    key = ("Programme", programme.pk)
    assert snapshot()[key] != rows_before[key]
    untouched = Programme.objects.get(slug="ms-cybersecurite")
    assert snapshot()[("Programme", untouched.pk)] == rows_before[("Programme", untouched.pk)]
    assert Campaign.objects.get().rules.programme("ms-transition-energetique").capacity == 22


def test_a_programme_dropped_from_the_rulebook_is_deactivated_then_revived() -> None:
    load("imt-nord-europe")
    data = raw("imt-nord-europe")
    dropped = data["programmes"].pop(3)
    report = load_raw(data)
    assert report.with_action(Action.DEACTIVATED)[0].key == dropped["slug"]
    programme = Programme.objects.get(slug=dropped["slug"])
    assert not programme.is_active
    assert Programme.objects.count() == 4

    report = load("imt-nord-europe")
    programme.refresh_from_db()
    assert programme.is_active
    revived = [change for change in report.changes if change.key == dropped["slug"]]
    assert [(change.action, change.fields) for change in revived] == [
        (Action.UPDATED, ("is_active",))
    ]


def test_dropped_sites_and_jury_sessions_are_deactivated() -> None:
    load("imt-nord-europe")
    data = raw("imt-nord-europe")
    data["programmes"][0]["site"] = "douai"
    data["sites"].pop(0)
    data["jury_sessions"].pop()
    report = load_raw(data)
    assert {(change.kind, change.key) for change in report.with_action(Action.DEACTIVATED)} == {
        ("site", "lille"),
        ("jury session", "jury-2024-06"),
    }
    assert not Site.objects.get(slug="lille").is_active
    assert not JurySession.objects.get(slug="jury-2024-06").is_active
    assert Site.objects.count() == 2
    assert JurySession.objects.count() == 4


def test_a_new_campaign_leaves_the_previous_one_frozen() -> None:
    load("imt-nord-europe")
    old = Campaign.objects.get()
    old_rules = copy.deepcopy(old.rulebook)
    data = raw("imt-nord-europe")
    data["campaign"] |= {
        "slug": "2025-2026",
        "academic_year": "2025-2026",
        "opens_on": dt.date(2024, 9, 16),
        "closes_on": {"date": dt.date(2025, 6, 6)},
        "international_deadline": {"date": dt.date(2025, 3, 16)},
    }
    for index, session in enumerate(data["jury_sessions"]):
        session["month"] = f"2025-0{index + 3}"
    data["fees"]["application"]["amount"] = "65"
    load_raw(data)
    old.refresh_from_db()
    assert old.rulebook == old_rules
    assert old.rules.fees.application.amount == 60
    new = Campaign.objects.get(slug="2025-2026")
    assert new.rules.fees.application.amount == 65
    assert Institution.objects.get().rules.fees.application.amount == 65
    assert JurySession.objects.filter(campaign=old, is_active=True).count() == 4

    # Reloading the older file later must not bring the institution back to it.
    report = load("imt-nord-europe")
    assert Institution.objects.get().rules.fees.application.amount == 65
    assert any("a later campaign of imt-nord-europe is loaded" in w for w in report.warnings)


def test_an_older_campaign_does_not_deactivate_newer_programmes() -> None:
    data = raw("imt-nord-europe")
    data["campaign"] |= {
        "slug": "2025-2026",
        "opens_on": dt.date(2024, 9, 16),
        "closes_on": {"date": dt.date(2025, 6, 6)},
        "international_deadline": {"date": dt.date(2025, 3, 16)},
    }
    data["jury_sessions"] = []
    data["programmes"].append(copy.deepcopy(data["programmes"][3]) | {"slug": "ms-nouveau"})
    load_raw(data)
    load("imt-nord-europe")
    assert Programme.objects.get(slug="ms-nouveau").is_active


def test_a_failure_half_way_leaves_the_database_untouched() -> None:
    load("imt-nord-europe")
    rows_before = snapshot()
    loaded = read_rulebook(preset_path("imt-nord-europe"))
    rules = loaded.rulebook
    # A rulebook that escaped validation: its second programme names a site that does not
    # exist, which the loader meets after writing the institution and the sites.
    broken_programme = rules.programmes[1].model_copy(update={"site": "nowhere"})
    broken = rules.model_copy(
        update={
            "institution": rules.institution.model_copy(update={"name": "Renamed"}),
            "sites": [*rules.sites, rules.sites[0].model_copy(update={"slug": "roubaix"})],
            "programmes": [rules.programmes[0], broken_programme],
        }
    )
    with pytest.raises(KeyError):
        load_rulebook(
            LoadedRulebook(rulebook=broken, warnings=[], digest="0" * 64, data=loaded.data)
        )
    assert snapshot() == rows_before
    assert Institution.objects.get().name == "IMT Nord Europe"


def test_moving_the_same_campaign_earlier_still_updates_the_institution() -> None:
    load("imt-nord-europe")
    data = raw("imt-nord-europe")
    data["campaign"]["opens_on"] = dt.date(2023, 9, 1)
    data["institution"]["short_name"] = "IMT NE"
    report = load_raw(data)
    assert Institution.objects.get().short_name == "IMT NE"
    assert Campaign.objects.get().opens_on == dt.date(2023, 9, 1)
    assert not any("later campaign" in warning for warning in report.warnings)


def test_changing_the_rules_of_a_campaign_with_applications_is_flagged(
    django_user_model: Any,
) -> None:
    from admissions.applications.models import Application

    load("imt-nord-europe")
    campaign = Campaign.objects.get()
    Application.objects.create(
        reference="NE-TEST-1",
        candidate=django_user_model.objects.create_user(email="c@example.org", password="x" * 12),
        campaign=campaign,
        programme=Programme.objects.get(slug="ms-cybersecurite"),
        track="full_time",
        financing_mode="personnel",
    )
    assert not any("application" in warning for warning in load("imt-nord-europe").warnings)
    data = raw("imt-nord-europe")
    data["confirmation"]["window_days"] = 20
    report = load_raw(data)
    assert (
        "campaign 2024-2025: 1 application(s) already exist; drafts follow the rules just "
        "loaded, submitted files keep those they were sent under"
    ) in report.warnings
