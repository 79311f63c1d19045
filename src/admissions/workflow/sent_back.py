"""A submitted file sent back to the candidate for documents, and back to the office after.

When the admissions office rejects a document of a submitted file, or asks for one the file
never had, the file moves to "documents to replace" (`request_documents`): the candidate sees
each piece asked for and why on the status page, and may send those pieces, and only those,
as new versions. As soon as the last of them is in (or the office accepts it after all), the
file moves back to "submitted" (`resubmit`) and waits in the office's list again.

The moves follow the documents' own changes: `documents.signals.document_changed` is sent
inside the transaction that changes a document, so the file's status changes with it or not
at all, whoever made the change (a page, the API, a ZIP import, a new antivirus result).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import get_language

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.documents.lifecycle import ASKED_BY_STAFF, SATISFIED
from admissions.documents.models import Document
from admissions.documents.signals import document_changed
from admissions.people.models import User

# The office asked for a piece: the file goes back to the candidate.
ASKING = frozenset({"rejected_by_staff", "requested_by_staff"})
# A piece may have come in: the file may go back to the office.
ANSWERING = frozenset({"uploaded", "accepted_by_staff"})
SENT_BACK_FROM = frozenset({Status.SUBMITTED, Status.COMPLETE})


@dataclass(frozen=True)
class AskedDocument:
    """A piece the office waits for, and why, as the candidate reads it."""

    code: str
    label: str
    reason: str
    translation: bool


def _is_asked(document: Document) -> bool:
    return document.state not in SATISFIED and (
        document.state in ASKED_BY_STAFF or bool(document.staff_reason)
    )


def _asked(application: Application, changed: Document | None = None) -> list[Document]:
    """The file's documents the office asked for and that hold no good copy yet.

    A piece asked for keeps the office's reason until a good copy arrives, even when a new
    attempt is refused on arrival or waits for the antivirus. `changed` is a document being
    changed, read as it is in memory rather than as the database still has it.
    """
    stored = (
        Document.objects.filter(application=application)
        .filter(Q(state__in=ASKED_BY_STAFF) | ~Q(staff_reason=""))
        .exclude(state__in=SATISFIED)
        .order_by("requirement_code", "id")
    )
    if changed is None:
        return list(stored)
    others = list(stored.exclude(pk=changed.pk))
    return [*others, changed] if _is_asked(changed) else others


def asked_documents(application: Application) -> list[AskedDocument]:
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    labels = {
        requirement.code: requirement.label.get(language)
        for requirement in application.rules.documents.requirements
    }
    return [
        AskedDocument(
            code=document.requirement_code,
            label=labels.get(document.requirement_code, document.requirement_code),
            reason=document.staff_reason,
            translation=document.is_translation,
        )
        for document in _asked(application)
    ]


def follow_documents(
    sender: object,
    *,
    application: Application,
    document: Document,
    action: str,
    by: User | None,
    **kwargs: Any,
) -> None:
    """Move the file with its documents; `application` is the locked row of the change."""
    status = Status(application.status)
    if action in ASKING and status in SENT_BACK_FROM:
        transition(
            application,
            action="request_documents",
            by=by,
            details={"requirement": document.requirement_code, "reason": document.staff_reason},
        )
    elif action in ANSWERING and status == Status.INCOMPLETE and not _asked(application, document):
        transition(
            application,
            action="resubmit",
            by=by,
            details={"requirement": document.requirement_code},
        )


def connect() -> None:
    document_changed.connect(follow_documents, dispatch_uid="workflow.sent_back")
