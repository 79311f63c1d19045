"""Where an application's documents stand, for the pages, the submission checks and the bundle.

`missing_requirements` and `expired_documents` answer separately on purpose: a document that
expired is not missing (the candidate sent it) but is no longer valid, and the two call for
different messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from admissions.applications.eligibility import assess
from admissions.applications.lifecycle import REGISTERING
from admissions.applications.models import Application
from admissions.documents.lifecycle import SATISFIED, DocumentState
from admissions.documents.models import Document
from admissions.rules.checklist import (
    ChecklistError,
    ChecklistItem,
    document_checklist,
    for_stage,
    item_for,
)
from admissions.rules.deadlines import paris_date
from admissions.rules.vocabulary import DocumentCondition, Track


@dataclass(frozen=True)
class ChecklistRow:
    """One checklist item with the document that answers it and its translation, if asked."""

    item: Any  # a rules.checklist.ChecklistItem, or anything with a `code`
    document: Document | None
    translation: Document | None

    @property
    def code(self) -> str:
        return str(self.item.code)

    @property
    def state(self) -> DocumentState:
        return self.document.state_enum if self.document else DocumentState.MISSING

    @property
    def translation_asked(self) -> bool:
        return self.translation is not None

    @property
    def translation_state(self) -> DocumentState | None:
        return self.translation.state_enum if self.translation else None

    @property
    def satisfied(self) -> bool:
        if self.state not in SATISFIED:
            return False
        return self.translation is None or self.translation.state_enum in SATISFIED

    def expired_on(self, day: dt.date) -> bool:
        return bool(self.document and self.document.valid_until and self.document.valid_until < day)


def _documents_by_code(application: Application) -> dict[str, tuple[Document, Document | None]]:
    documents = list(
        Document.objects.filter(application=application).select_related("current_version")
    )
    translations = {doc.translation_of_id: doc for doc in documents if doc.translation_of_id}
    return {
        doc.requirement_code: (doc, translations.get(doc.pk))
        for doc in documents
        if doc.translation_of_id is None
    }


def checklist_with_states(
    application: Application, checklist_items: Sequence[Any]
) -> list[ChecklistRow]:
    """The checklist in its order, each item with its document (None when never sent)."""
    by_code = _documents_by_code(application)
    rows = []
    for item in checklist_items:
        document, translation = by_code.get(item.code, (None, None))
        rows.append(ChecklistRow(item=item, document=document, translation=translation))
    return rows


def application_checklist(application: Application) -> list[ChecklistItem]:
    """The documents the rules ask of this candidate for this application.

    When the candidate's facts cannot be judged yet (a profile still incomplete), only the
    documents everyone gives are listed; the submission checks report the profile itself.
    Pieces due after admission (the CVEC attestation) are listed once the file is admitted.
    """
    rulebook = application.rules
    admitted = application.status in REGISTERING
    assessment = assess(application)
    if assessment.facts is not None and assessment.result is not None:
        try:
            items = document_checklist(
                rulebook,
                application.programme.slug,
                Track(application.track),
                application.financing_mode,
                assessment.facts,
                assessment.result,
            )
        except ChecklistError:
            pass
        else:
            return for_stage(items, admitted=admitted)
    return for_stage(
        [
            item_for(requirement, None, explained=False)
            for requirement in rulebook.documents.requirements
            if requirement.condition == DocumentCondition.ALWAYS and not requirement.typed
        ],
        admitted=admitted,
    )


def missing_requirements(
    application: Application, checklist_items: Sequence[Any] | None = None
) -> list[str]:
    """Codes of the checklist items not yet answered by an accepted file (and translation).

    A document refused on arrival, still being checked or rejected by staff counts as
    missing; so does one whose translation was asked and is not in. Every item given counts,
    optional ones included: callers pass the items they require.
    """
    items = application_checklist(application) if checklist_items is None else checklist_items
    return [row.code for row in checklist_with_states(application, items) if not row.satisfied]


def expired_documents(application: Application, on: dt.date | None = None) -> list[Document]:
    """Documents whose validity date is before `on` (today in Paris by default)."""
    day = on or paris_date(timezone.now())
    return list(
        Document.objects.filter(
            application=application, translation_of__isnull=True, valid_until__lt=day
        )
        .exclude(state=DocumentState.MISSING)
        .order_by("requirement_code")
    )
