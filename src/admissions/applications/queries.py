"""Reading applications for the candidate: their own files and their history in plain words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import without_rulebooks
from admissions.people.models import User


def my_applications(user: User) -> QuerySet[Application]:
    if not user.is_authenticated:
        return Application.objects.none()
    return (
        Application.objects.filter(candidate=user)
        .select_related("campaign", "campaign__institution", "programme")
        .defer(*without_rulebooks("campaign", "campaign__institution"))
    )


def own_application(user: User, reference: str) -> Application:
    """The candidate's file with this reference; 404 for anyone else's, as if it did not exist."""
    application = my_applications(user).filter(reference=reference).first()
    if application is None:
        raise Http404("No such application")
    return application


def _language() -> str:
    return get_language() or "fr"


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    text: str
    by: str  # "by you", "by the admissions team", "automatically"
    count: int = 1


def _actor(event: ApplicationEvent, candidate_id: int) -> str:
    if event.actor_id is None:
        return _("automatically")
    if event.actor_id == candidate_id:
        return _("by you")
    return _("by the admissions team")


# Built once: translated when shown, in the reader's language (a table of gettext calls per
# event was a fifth of the status page's time).
EVENT_TEXTS: dict[str, Promise] = {
    "application.created": gettext_lazy("Application created"),
    "application.draft_saved": gettext_lazy("Draft saved"),
    "application.submit": gettext_lazy("Application submitted"),
    "application.withdraw": gettext_lazy("Application withdrawn"),
    "application.fee_marked_paid": gettext_lazy("Application fee recorded as paid"),
    "application.request_documents": gettext_lazy("Documents to replace were requested"),
    "application.resubmit": gettext_lazy("Replaced documents sent"),
    "application.submit_awaiting_fee": gettext_lazy("Application submitted, fee awaited"),
    "application.receive_fee": gettext_lazy("Application fee received: the file is studied"),
    "application.fee_transfer_declared": gettext_lazy("Fee transfer declared"),
    "application.fee_transfer_unmatched": gettext_lazy("Declared fee transfer not found yet"),
    "document.uploaded": gettext_lazy("Document received"),
    "document.imported": gettext_lazy("Documents received in one archive"),
    "document.refused_on_arrival": gettext_lazy("Document refused on arrival"),
    "document.accepted_by_staff": gettext_lazy("Document accepted by the admissions office"),
    "document.rejected_by_staff": gettext_lazy("Document to replace"),
    "document.requested_by_staff": gettext_lazy("Document asked by the admissions office"),
    "document.deleted": gettext_lazy("Document removed"),
    "document.infected": gettext_lazy("Document refused: the antivirus found a threat"),
    "document.scan_deferred": gettext_lazy("Antivirus check postponed"),
    "document.scan_completed": gettext_lazy("Antivirus check done"),
    "document.translation_requested": gettext_lazy("Translation requested"),
    "document.translation_withdrawn": gettext_lazy("Translation no longer needed"),
    "payment.charged": gettext_lazy("Amount due recorded"),
    "payment.received": gettext_lazy("Payment received"),
    "payment.refunded": gettext_lazy("Refund made"),
    "payment.written_off": gettext_lazy("Amount due cancelled"),
    "payment.checkout_started": gettext_lazy("Card payment started"),
    "payment.checkout_expired": gettext_lazy("Card payment abandoned"),
    "payment.reversed": gettext_lazy("Payment cancelled by the bank"),
    "payment.debit_submitted": gettext_lazy("Direct debit sent to the bank"),
    "payment.debit_rejected": gettext_lazy("Direct debit rejected by the bank"),
    "payment.mandate_signed": gettext_lazy("Direct debit mandate signed"),
    "payment.mandate_revoked": gettext_lazy("Direct debit mandate revoked"),
    "payment.invoice_issued": gettext_lazy("Invoice issued"),
    "payment.refund_requested": gettext_lazy("Refund requested"),
    "payment.refund_approved": gettext_lazy("Refund approved"),
    "payment.refund_rejected": gettext_lazy("Refund refused"),
    "payment.refund_recorded": gettext_lazy("Refund made"),
    "payment.issue_raised": gettext_lazy("Payment to be checked by the finance office"),
    "payment.issue_resolved": gettext_lazy("Payment checked by the finance office"),
    "application.place_on_agenda": gettext_lazy("File placed on the agenda of the admission jury"),
    "application.carry_over": gettext_lazy("File moved to the next session of the admission jury"),
    "jury.waiting_for_session": gettext_lazy("Jury: the file waits for the next session to be set"),
    "jury.conflict_declared": gettext_lazy("Jury: a member declared a conflict of interest"),
    "jury.decision_entered": gettext_lazy("Jury: decision entered"),
    "jury.decision_validated": gettext_lazy("Jury: decision validated by the president"),
    "jury.decision_change_refused": gettext_lazy(
        "Jury: a change to the published decision was refused (irrevocable)"
    ),
    "message.posted": gettext_lazy("Message written"),
    "review.assigned": gettext_lazy("File given to a reviewer"),
    "interview.invited": gettext_lazy("Invited to book an interview slot"),
    "interview.reminded": gettext_lazy("Interview reminder sent"),
    "application.admit_from_waitlist": gettext_lazy(
        "Called from the waiting list: a place is offered"
    ),
    "application.admit_from_waitlist_conditionally": gettext_lazy(
        "Called from the waiting list: a place is offered on condition"
    ),
    "application.lapse": gettext_lazy("Place released: not confirmed in time"),
    "application.lift_condition": gettext_lazy("Condition lifted: the admission is final"),
    "application.lift_condition_confirmed": gettext_lazy(
        "Condition lifted: the admission is final"
    ),
    "application.lapse_condition": gettext_lazy(
        "Admission lapsed: the diploma was not received in time"
    ),
    "application.release_visa_refused": gettext_lazy("Place released: the visa was refused"),
    "international.campus_france_number": gettext_lazy("Études en France number recorded"),
    "international.certificate_issued": gettext_lazy("Admission certificate for the visa issued"),
    "international.visa_granted": gettext_lazy("Visa granted"),
    "international.visa_refused": gettext_lazy("Visa refused"),
    "notification.queued": gettext_lazy("Email queued"),
    "notification.sent": gettext_lazy("Email sent"),
    "notification.failed": gettext_lazy("Email not delivered"),
    "notification.bounced": gettext_lazy("Email refused by the mail server"),
    "notification.resent": gettext_lazy("Email sent again"),
    "privacy.erasure_requested": gettext_lazy(
        "The candidate asked for their personal data to be erased"
    ),
    "privacy.erased": gettext_lazy("Personal data of the file erased"),
    "privacy.accounting_erased": gettext_lazy("Accounting records of the file made anonymous"),
}


STAFF_ONLY_EVENTS = frozenset({"review.assigned"})


def _for_candidate(event: ApplicationEvent) -> bool:
    """The candidate's history leaves out emails queued and those sent to staff, and the
    staff's own arrangements (who reviews the file), and the jury's deliberation: the
    candidate learns the decision when it is published."""
    if event.action in STAFF_ONLY_EVENTS or event.action.startswith("jury."):
        return False
    if not event.action.startswith("notification."):
        return True
    details = event.details if isinstance(event.details, dict) else {}
    return event.action != "notification.queued" and details.get("audience") != "staff"


def _event_text(event: ApplicationEvent, documents: dict[str, str]) -> str:
    """The event in plain words; an event without words of its own says the status it set.

    `documents` names the rulebook's documents by code, for the document events.
    """
    if event.action.startswith("catalog."):
        return _catalogue_text(event)
    lazy_text = EVENT_TEXTS.get(event.action)
    if lazy_text is not None:
        text = str(lazy_text)
        details = event.details if isinstance(event.details, dict) else {}
        code = str(details.get("requirement") or "")
        if code and event.action.startswith("document."):
            # Translatable: French puts a non-breaking space before the colon.
            return _("%(event)s: %(document)s") % {
                "event": text,
                "document": documents.get(code, code),
            }
        if event.action.startswith("notification.") and details.get("subject"):
            return _("%(event)s: %(subject)s") % {"event": text, "subject": details["subject"]}
        return text
    if event.to_status and event.to_status != event.from_status:
        try:
            label = str(Status(event.to_status).label)
        except ValueError:
            label = event.to_status
        return _("Status: %(status)s") % {"status": label}
    return _("File updated")


def describe(event: ApplicationEvent, documents: dict[str, str]) -> str:
    """An event in plain words, for the staff's history of a file."""
    return _event_text(event, documents)


def document_labels(application: Application) -> dict[str, str]:
    language = _language()
    return {
        requirement.code: requirement.label.get(language)
        for requirement in application.rules.documents.requirements
    }


def history(
    application: Application, events: list[ApplicationEvent] | None = None
) -> list[HistoryLine]:
    """The file's events in plain words, oldest first; a run of draft saves is one line.

    `events` are the file's events in their order, when the caller has read them already.
    """
    documents = document_labels(application)
    lines: list[HistoryLine] = []
    previous_action = ""
    for event in application.events.all() if events is None else events:
        if not _for_candidate(event):
            continue
        if event.action == "application.draft_saved" and previous_action == event.action:
            last = lines[-1]
            lines[-1] = HistoryLine(at=event.at, text=last.text, by=last.by, count=last.count + 1)
            continue
        lines.append(
            HistoryLine(
                at=event.at,
                text=_event_text(event, documents),
                by=_actor(event, application.candidate_id),
            )
        )
        previous_action = event.action
    return lines


def _catalogue_text(event: ApplicationEvent) -> str:
    """A change of the campaign's rules, as it concerns this file."""
    details = event.details if isinstance(event.details, dict) else {}
    if event.action == "catalog.deadline_extended":
        text = _("Deadline extended from %(old)s to %(new)s: %(reason)s") % {
            "old": _shown_day(details.get("old")),
            "new": _shown_day(details.get("new")),
            "reason": details.get("reason", ""),
        }
        if details.get("kept"):
            return text + " " + _("(already submitted: nothing changes for this file)")
        return text
    if details.get("kept"):
        return _(
            "The school changed the campaign's rules; this file keeps the rules it was "
            "submitted under"
        )
    return _("The school changed the campaign's rules; this draft follows the new ones")


def _shown_day(value: object) -> str:
    try:
        return formats.date_format(dt.date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value or "")
