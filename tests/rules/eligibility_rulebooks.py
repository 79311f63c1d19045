"""Rulebooks for the eligibility and checklist tests, built from the two seeds' rules.

`nord_data()` follows IMT Nord Europe's notice (five standard routes, two derogatory routes
with a VAPP file, still-studying candidates admitted on condition, translations into French or
English, Campus France, an international deadline); `bs_data()` follows IMT-BS's guide (four
standard routes, a derogatory route for one programme only, DELF B2 when needed, certified
translations, no first-time non-EU students in work-study). Tests change the data, then
`build` validates it through the real schema.
"""

from __future__ import annotations

import copy
from typing import Any

from admissions.rules.schema import Rulebook


def text(fr: str, en: str | None = None) -> dict[str, str]:
    return {"fr": fr, "en": en or fr}


def route(
    code: str,
    kind: str,
    *,
    min_level: int,
    kinds: list[str] | None = None,
    origin: str = "any",
    years: str = "0",
    in_progress: bool = False,
    vapp: bool = False,
    programmes: list[str] | None = None,
    conditional: bool = True,
) -> dict[str, Any]:
    return {
        "code": code,
        "kind": kind,
        "label": text(f"Voie {code}", f"Route {code}"),
        "programmes": programmes or [],
        "requires": {
            "min_level": min_level,
            "diploma_kinds": kinds or [],
            "diploma_origin": origin,
            "min_experience_years": years,
            "in_progress_allowed": in_progress,
        },
        "implies": {"vapp_file": vapp, "conditional_admission_if_in_progress": conditional},
    }


def document(code: str, condition: str = "always", **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "label": text(f"Pièce {code}", f"Document {code}"),
        "formats": ["pdf"],
        "max_size_mb": "5",
        "condition": condition,
        **extra,
    }


def _common(slug: str) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "institution": {
            "slug": slug,
            "name": slug.upper(),
            "short_name": slug.upper(),
            "description": text("École", "School"),
            "contact_email": f"admissions@{slug}.example.org",
        },
        "sites": [{"slug": "main", "name": "Campus", "address": "1 rue de l'École, Douai"}],
        "review": {
            "positive": text("Avis favorable", "Favourable"),
            "negative": text("Avis défavorable", "Unfavourable"),
            "negative_ends_application": False,
            "criteria": [{"code": "fit", "label": text("Adéquation", "Fit")}],
        },
        "interview": {
            "mandatory": False,
            "modes": ["video"],
            "duration_minutes": 30,
            "purpose": text("Projet", "Project"),
            "criteria": [{"code": "project", "label": text("Projet", "Project")}],
        },
        "jury": {"decisions": ["admitted", "admitted_conditionally", "waitlisted", "not_admitted"]},
        "confirmation": {"window_days": 15, "wording": text("Confirmez", "Confirm")},
        "steps": [
            {"step": "apply", "label": text("Candidature", "Application")},
            {"step": "jury", "label": text("Jury", "Jury")},
        ],
    }


def nord_data() -> dict[str, Any]:
    data = _common("nord")
    data.update(
        {
            "programmes": [
                {
                    "slug": "cyber",
                    "name": text("MS Cybersécurité", "MS Cybersecurity"),
                    "site": "main",
                    "duration_months": 12,
                    "internship_months": 6,
                    "tracks": ["full_time"],
                    "capacity": 24,
                },
                {
                    "slug": "energy",
                    "name": text("MS Énergie", "MS Energy"),
                    "site": "main",
                    "duration_months": 12,
                    "tracks": ["full_time"],
                    "capacity": 20,
                },
            ],
            "entry_routes": [
                route("cti", "standard", min_level=5, kinds=["cti_engineering"], in_progress=True),
                route("m2", "standard", min_level=5, kinds=["master_m2"], in_progress=True),
                route("rncp7", "standard", min_level=5, kinds=["rncp_level_7"], in_progress=True),
                route(
                    "m1-3y",
                    "standard",
                    min_level=4,
                    kinds=["master_m1"],
                    years="3",
                    in_progress=True,
                ),
                route("foreign-bac5", "standard", min_level=5, origin="foreign", in_progress=True),
                route("bac4", "derogatory", min_level=4, in_progress=True, vapp=True),
                route("bac3-3y", "derogatory", min_level=3, years="3", in_progress=True, vapp=True),
            ],
            "documents": {
                "translation": "french_or_english",
                "bundle": "single_zip",
                "requirements": [
                    document("form"),
                    document("cv", translatable=True),
                    document("identity", formats=["pdf", "jpeg"], needs_validity_date=True),
                    document("diploma", "diploma_obtained", translatable=True),
                    document("transcripts", translatable=True),
                    document("vapp", "vapp_required"),
                    document("region-quote", "region_funded", provided_by="staff"),
                ],
            },
            "fees": {
                "application": {"amount": "60", "methods": ["bank_transfer"]},
                "tuition": {"personal": "7500", "company": "12500"},
            },
            "financing_modes": [
                {"code": "personal", "label": text("Personnel"), "category": "personal"},
                {"code": "job-seeker", "label": text("Demandeur d'emploi"), "category": "personal"},
                {"code": "employer", "label": text("Entreprise"), "category": "company"},
                {"code": "transition-pro", "label": text("Transition Pro"), "category": "company"},
                {
                    "code": "region",
                    "label": text("Région Hauts-de-France"),
                    "category": "personal",
                    "region_funded": True,
                    "request_weeks_before_start": 3,
                },
            ],
            "campaign": {
                "slug": "2024-2025",
                "name": text("Session 2024-2025"),
                "opens_on": "2023-09-15",
                "closes_on": {"date": "2024-06-07", "also_stated": ["2024-06-06"]},
                "international_deadline": {"date": "2024-03-17", "also_stated": ["2024-03-16"]},
            },
            "international": {"campus_france_for_non_eu": True},
            "bank_account": {
                "holder": "IMT NORD EUROPE - AGENCE COMPTABLE",
                "iban": "FR76 1007 1590 0000 0010 2433 444",
                "bic": "TRPUFRP1",
            },
        }
    )
    return data


def bs_data() -> dict[str, Any]:
    data = _common("bs")
    data.update(
        {
            "programmes": [
                {
                    "slug": "management",
                    "name": text("MS Management", "MS Management"),
                    "site": "main",
                    "duration_months": 12,
                    "tracks": ["full_time", "work_study"],
                    "capacity": 30,
                },
                {
                    "slug": "data",
                    "name": text("MS Données", "MS Data"),
                    "site": "main",
                    "duration_months": 12,
                    "tracks": ["work_study"],
                    "capacity": 30,
                },
                {
                    "slug": "finance",
                    "name": text("MS Finance", "MS Finance"),
                    "site": "main",
                    "duration_months": 12,
                    "tracks": ["full_time"],
                    "capacity": 30,
                },
            ],
            "entry_routes": [
                route(
                    "bac5",
                    "standard",
                    min_level=5,
                    kinds=["cti_engineering", "master_m2", "management_school"],
                ),
                route("bac4-3y", "standard", min_level=4, years="3"),
                route("foreign-m1-m2", "standard", min_level=4, origin="foreign"),
                route("rncp7", "standard", min_level=5, kinds=["rncp_level_7"]),
                route("data-bac4", "derogatory", min_level=4, programmes=["data"]),
            ],
            "language": {
                "required_level": "B2",
                "accepted_certificates": ["DELF", "DALF", "TCF", "TEF"],
                "exempt_nationalities": ["BE", "LU", "CH"],
                "exempt_if_diploma_from": ["FR", "BE"],
            },
            "documents": {
                "translation": "certified",
                "requirements": [
                    document("cv", translatable=False, content_language="fr"),
                    document("cover-letter"),
                    document("identity", needs_validity_date=True),
                    document(
                        "photo",
                        formats=["jpeg"],
                        max_size_mb="2",
                        min_width_px=300,
                        min_height_px=400,
                    ),
                    document("diploma", "diploma_obtained", translatable=True),
                    document("transcripts", translatable=True, max_pages=20),
                    document("delf", "french_certificate_needed"),
                    document(
                        "residence-permit", "residence_permit_concerned", needs_validity_date=True
                    ),
                    document("foreign-equivalence", "foreign_diploma"),
                    document("funding-agreement", "company_funded"),
                    document("work-study-contract", "work_study"),
                    document("visa-documents", "non_eu_national"),
                ],
            },
            "fees": {
                "application": {"amount": "80", "methods": ["card"]},
                "deposit": {"amount": "450", "tracks": ["work_study"]},
                "tuition": {"personal": "15000", "company": "15000"},
            },
            "financing_modes": [
                {"code": "personal", "label": text("Personnel"), "category": "personal"},
                {
                    "code": "opco",
                    "label": text("OPCO"),
                    "category": "company",
                    "tracks": ["work_study"],
                },
                {"code": "employer", "label": text("Employeur"), "category": "company"},
            ],
            "campaign": {
                "slug": "2024-2025",
                "name": text("Session 2024-2025"),
                "opens_on": "2023-10-01",
                "closes_on": {"date": "2024-07-15"},
            },
            "international": {
                "restrictions": [
                    {
                        "code": "no-first-time-non-eu-work-study",
                        "tracks": ["work_study"],
                        "restricted": "non_eu_nationals",
                        "wording": text(
                            "Pas d'étudiants internationaux primo-entrants hors UE en alternance.",
                            "No first-time non-EU international students in work-study.",
                        ),
                        "exceptions": [
                            {
                                "kind": "eu_national",
                                "label": text("ressortissants de l'UE", "EU nationals"),
                            },
                            {
                                "kind": "resident_with_permit",
                                "min_years_in_france": "1",
                                "permit_kinds": ["student"],
                                "permit_must_be_valid": True,
                                "label": text(
                                    "en France depuis au moins 1 an avec un titre de séjour "
                                    "étudiant valide",
                                    "in France for at least 1 year with a valid student "
                                    "residence permit",
                                ),
                            },
                        ],
                    }
                ]
            },
        }
    )
    return data


def build(data: dict[str, Any]) -> Rulebook:
    return Rulebook.model_validate(copy.deepcopy(data))


def nord() -> Rulebook:
    return build(nord_data())


def bs() -> Rulebook:
    return build(bs_data())
