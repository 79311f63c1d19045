"""The emails of a file's life up to the review: one function per email.

Each function computes its values in the candidate's language and queues the email in the
caller's transaction. `event` names what happened once (a history event's id, a job's
date): calling again for the same event sends nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from admissions.applications.models import Application
from admissions.notify.context import (
    day,
    file_values,
    language_of,
    moment,
    speaking,
    text,
    url,
)
from admissions.notify.models import Notification
from admissions.notify.outbox import to_candidate
from admissions.rules.schema import Text


def send_draft_reminder(
    application: Application, *, event: str, deadline: dt.date, days_left: int, to_do: Sequence[str]
) -> Notification:
    """The deadline is near and the draft is not sent; `to_do` says what still blocks it."""
    with speaking(language_of(application.candidate)):
        values = file_values(application, link=url("portal:application", application.reference))
        values |= {"deadline": day(deadline), "days_left": str(days_left), "to_do": list(to_do)}
    return to_candidate("draft_reminder", application, event=event, values=values)


def send_deadline_extended(
    application: Application, *, event: str, deadline: dt.date, previous: dt.date, reason: str
) -> Notification:
    """The school moved the deadline later (after an outage, say): the new last day, and why."""
    with speaking(language_of(application.candidate)):
        values = file_values(application, link=url("portal:application", application.reference))
        values |= {"deadline": day(deadline), "previous_deadline": day(previous), "reason": reason}
    return to_candidate("deadline_extended", application, event=event, values=values)


@dataclass(frozen=True)
class SentDocument:
    label: Text
    filename: str
    translation: bool = False

    def line(self) -> str:
        if self.translation:
            return _("%(document)s (translation): %(filename)s") % {
                "document": text(self.label),
                "filename": self.filename,
            }
        return _("%(document)s: %(filename)s") % {
            "document": text(self.label),
            "filename": self.filename,
        }


def send_submission_receipt(
    application: Application, *, event: str, documents: Sequence[SentDocument]
) -> Notification:
    """The file was submitted, with the documents it holds."""
    with speaking(language_of(application.candidate)):
        values = file_values(
            application, link=url("portal:application_status", application.reference)
        )
        values |= {
            "submitted_at": moment(application.submitted_at or application.updated_at),
            "documents": [document.line() for document in documents],
        }
    return to_candidate("submission_receipt", application, event=event, values=values)


def send_document_rejected(
    application: Application, *, event: str, label: Text, code: str, reason: str
) -> Notification:
    """Staff rejected a document: the reason, and the link where it is replaced."""
    with speaking(language_of(application.candidate)):
        link = url("documents:list", application.reference, anchor=f"doc-{code}")
        values = file_values(application, link=link)
        values |= {"document": text(label), "reason": reason}
    return to_candidate("document_rejected", application, event=event, values=values)


def send_document_requested(
    application: Application, *, event: str, label: Text, code: str, reason: str
) -> Notification:
    """Staff ask for a piece the file lacks: why, and the link where it is sent."""
    with speaking(language_of(application.candidate)):
        link = url("documents:list", application.reference, anchor=f"doc-{code}")
        values = file_values(application, link=link)
        values |= {"document": text(label), "reason": reason}
    return to_candidate("document_requested", application, event=event, values=values)


def send_refused_items_reminder(
    application: Application, *, event: str, documents: Sequence[tuple[Text, str]]
) -> Notification:
    """Documents rejected some days ago are still not replaced: (label, reason) pairs."""
    with speaking(language_of(application.candidate)):
        values = file_values(application, link=url("documents:list", application.reference))
        values["documents"] = [
            _("%(document)s: %(reason)s") % {"document": text(label), "reason": reason}
            for label, reason in documents
        ]
    return to_candidate("refused_items_reminder", application, event=event, values=values)


def send_file_complete(application: Application, *, event: str) -> Notification:
    """Every document was accepted: the file goes to the review (`mark_complete`)."""
    with speaking(language_of(application.candidate)):
        values = file_values(
            application, link=url("portal:application_status", application.reference)
        )
    return to_candidate("file_complete", application, event=event, values=values)


def send_file_opened(
    application: Application, *, event: str, password_key: tuple[str, str] | None
) -> Notification:
    """Staff opened the file from documents sent by email; a new account chooses its password
    with allauth's reset link (`password_key`: its user id and token)."""
    with speaking(language_of(application.candidate)):
        documents = url("documents:list", application.reference)
        if password_key is None:
            values = file_values(application, link=documents)
            return to_candidate("file_opened", application, event=event, values=values)
        values = file_values(
            application, link=url("account_reset_password_from_key", *password_key)
        )
        values["documents_link"] = documents
    return to_candidate("file_opened_new_account", application, event=event, values=values)


def send_new_message(application: Application, *, event: str) -> Notification:
    """Staff wrote on the file: the candidate is told a message waits, never what it says."""
    with speaking(language_of(application.candidate)):
        values = file_values(
            application, link=url("portal:application_messages", application.reference)
        )
    return to_candidate("new_message", application, event=event, values=values)
