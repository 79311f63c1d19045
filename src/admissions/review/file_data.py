"""Everything the whole-file page shows, read in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.applications.queries import describe, document_labels
from admissions.documents.lifecycle import REVIEWABLE
from admissions.documents.models import Document, DocumentVersion
from admissions.documents.status import application_checklist, checklist_with_states
from admissions.payments import ledger
from admissions.payments.ledger import ChargeLine
from admissions.people.countries import display_country
from admissions.people.profile import CandidateProfile, Education
from admissions.review.models import AdmissibilityReview, Assignment, Interview, StaffNote
from admissions.rules.deadlines import paris_date
from admissions.rules.experience import professional_experience
from admissions.rules.schema import Criterion

PREVIEWABLE = {"pdf", "jpeg"}


@dataclass
class DocumentRow:
    code: str
    label: str
    document: Document | None
    translation: Document | None
    versions: list[DocumentVersion]
    reviewable: bool
    translation_versions: list[DocumentVersion] = field(default_factory=list)


@dataclass
class GridLine:
    code: str
    label: str
    score: int | None
    comment: str


@dataclass
class HistoryRow:
    at: dt.datetime
    actor: str
    action: str
    text: str
    from_label: str
    to_label: str
    details: dict[str, Any]


@dataclass
class WholeFile:
    application: Application
    profile: CandidateProfile | None
    experience_years: str
    documents: list[DocumentRow]
    charges: list[ChargeLine]
    balance_cents: int
    review: AdmissibilityReview | None
    review_grid: list[GridLine]
    interview: Interview | None
    interview_grid: list[GridLine]
    notes: list[StaffNote]
    history: list[HistoryRow]
    route_label: str = ""
    eligibility_notes: list[str] = field(default_factory=list)
    assignment: Assignment | None = None
    nationality: str = ""
    residence: str = ""
    # Each diploma with its country's name in the reader's language.
    education: list[tuple[Education, str]] = field(default_factory=list)


def _status_label(value: str) -> str:
    if not value:
        return ""
    try:
        return str(Status(value).label)
    except ValueError:
        return value


def _grid(criteria: list[Criterion], scores: dict[str, Any], language: str) -> list[GridLine]:
    return [
        GridLine(
            code=criterion.code,
            label=criterion.label.get(language),
            score=scores.get(criterion.code, {}).get("score"),
            comment=scores.get(criterion.code, {}).get("comment", ""),
        )
        for criterion in criteria
    ]


def whole_file(application: Application) -> WholeFile:
    language = get_language() or "fr"
    rules = application.rules
    profile = (
        CandidateProfile.objects.filter(user_id=application.candidate_id)
        .prefetch_related("education", "work_periods")
        .first()
    )
    on = paris_date(application.submitted_at or timezone.now())
    years = ""
    if profile is not None:
        experience = professional_experience(profile.work_periods.all(), on)
        years = str(experience.years.quantize(Decimal("0.1")))
    rows = checklist_with_states(application, application_checklist(application))
    documents = [row.document for row in rows if row.document] + [
        row.translation for row in rows if row.translation
    ]
    versions: dict[int, list[DocumentVersion]] = {}
    for version in DocumentVersion.objects.filter(document__in=documents).order_by("-number"):
        versions.setdefault(version.document_id, []).append(version)
    document_rows = [
        DocumentRow(
            code=row.code,
            label=row.item.label.get(language),
            document=row.document,
            translation=row.translation,
            versions=versions.get(row.document.pk, []) if row.document else [],
            reviewable=bool(row.document and row.document.state in REVIEWABLE),
            translation_versions=versions.get(row.translation.pk, []) if row.translation else [],
        )
        for row in rows
    ]
    review = AdmissibilityReview.objects.filter(application=application).first()
    interview = (
        Interview.objects.filter(application=application)
        .select_related("slot", "slot__interviewer")
        .first()
    )
    events = ApplicationEvent.objects.filter(application=application).select_related("actor")
    labels = document_labels(application)
    history = [
        HistoryRow(
            at=event.at,
            actor=(event.actor.get_full_name() or event.actor.email) if event.actor else "",
            action=event.action,
            text=describe(event, labels),
            from_label=_status_label(event.from_status),
            to_label=_status_label(event.to_status),
            details=event.details if isinstance(event.details, dict) else {},
        )
        for event in events.order_by("at", "pk")
    ]
    eligibility = application.eligibility if isinstance(application.eligibility, dict) else {}
    route = eligibility.get("route_label") or {}
    return WholeFile(
        application=application,
        profile=profile,
        experience_years=years,
        documents=document_rows,
        charges=ledger.lines(application.pk),
        balance_cents=ledger.balance_cents(application.pk),
        review=review,
        review_grid=_grid(rules.review.criteria, review.scores if review else {}, language),
        interview=interview,
        interview_grid=_grid(
            rules.interview.criteria, interview.scores if interview else {}, language
        ),
        notes=list(
            StaffNote.objects.filter(application=application)
            .select_related("author")
            .order_by("-created_at")
        ),
        history=history,
        route_label=route.get(language[:2], "") if isinstance(route, dict) else "",
        eligibility_notes=[note.get(language[:2], "") for note in eligibility.get("notes", [])],
        assignment=Assignment.objects.filter(application=application)
        .select_related("reviewer", "reviewer__profile")
        .first(),
        nationality=display_country(profile.nationality) if profile else "",
        residence=display_country(profile.residence_country) if profile else "",
        education=[
            (e, display_country(e.country)) for e in (profile.education.all() if profile else [])
        ],
    )
