"""Admissions on condition: the diploma still to obtain, received and accepted, or not in time.

The jury admits on condition a candidate still preparing the diploma the programme requires.
The office asks for the obtained diploma as for any piece (`documents.review`: asked, or the
earlier copy rejected with a reason); the candidate sends it under the rulebook's
`confirmation.condition_document`; once the office has accepted that copy, `lift_condition`
makes the admission final (`lift_condition`, or `lift_condition_confirmed` on a confirmed
place). An admission still on condition after `confirmation.condition_deadline` lapses
(`lapse_unmet_conditions`, a periodic job) and its place goes to the waiting list.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import without_rulebooks
from admissions.core.errors import DomainError, NotAllowed
from admissions.documents.lifecycle import REVIEWABLE, DocumentState
from admissions.documents.models import Document
from admissions.documents.review import accept_document, reject_document, request_document
from admissions.notify.decision_emails import send_condition_lapsed, send_condition_lifted
from admissions.people.models import Role, User
from admissions.people.permissions import can_act_on_programme
from admissions.rules.deadlines import end_of_day
from admissions.workflow.places import ADMITTING_ACTIONS, lock_programme

logger = logging.getLogger(__name__)

ON_CONDITION = {
    Status.ADMITTED_CONDITIONALLY: "lift_condition",
    Status.CONFIRMED_CONDITIONALLY: "lift_condition_confirmed",
}
LIFTERS = (Role.ADMISSIONS_OFFICER, Role.INSTITUTION_ADMIN)
# The piece a rulebook without `condition_document` receives the diploma under.
DEFAULT_DOCUMENT = "diplome"


class NotOnConditionError(DomainError):
    code = "not_on_condition"
    http_status = 409


class DiplomaNotAcceptedError(DomainError):
    code = "diploma_not_accepted"
    http_status = 409


@dataclass(frozen=True)
class Condition:
    """What lifts an admission's condition, where it stands, and by when."""

    document_code: str
    document_label: str
    document_state: str  # a DocumentState value, "missing" without any copy
    accepted: bool
    deadline: dt.date | None  # the last day, Paris time

    def late(self, now: dt.datetime) -> bool:
        return self.deadline is not None and now >= end_of_day(self.deadline)


def document_code(application: Application) -> str:
    return application.campaign.rules.confirmation.condition_document or DEFAULT_DOCUMENT


def condition_of(application: Application) -> Condition | None:
    """The condition of an admission on condition; None for any other status."""
    if application.status not in ON_CONDITION:
        return None
    rules = application.campaign.rules
    code = document_code(application)
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    label = next(
        (r.label.get(language) for r in rules.documents.requirements if r.code == code), code
    )
    document = (
        Document.objects.filter(application=application, requirement_code=code)
        .filter(translation_of__isnull=True)
        .only("state")
        .first()
    )
    state = document.state if document is not None else DocumentState.MISSING.value
    return Condition(
        document_code=code,
        document_label=label,
        document_state=state,
        accepted=state == DocumentState.ACCEPTED_BY_STAFF
        and _accepted_since_offer(application, code),
        deadline=rules.confirmation.condition_deadline,
    )


def _accepted_since_offer(application: Application, code: str) -> bool:
    """The copy was accepted after the admission on condition: the one sent with the
    application (a certificate of enrolment) does not lift it."""
    offer = (
        application.events.filter(action__in=ADMITTING_ACTIONS)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    accepted = application.events.filter(
        action="document.accepted_by_staff", details__requirement=code
    )
    if offer is not None:
        accepted = accepted.filter(id__gt=offer)
    return accepted.exists()


def _diploma_on_file(application: Application) -> Document | None:
    return Document.objects.filter(
        application=application,
        requirement_code=document_code(application),
        translation_of__isnull=True,
    ).first()


def ask_for_diploma(application: Application, *, by: User) -> Document:
    """Ask the candidate for the obtained diploma: the copy on file is sent back (it was the
    diploma in progress), or the piece is asked for where the file holds none to review."""
    reason = _("Send the diploma you obtained: your admission is on condition of it.")
    document = _diploma_on_file(application)
    if document is not None and document.state in REVIEWABLE:
        return reject_document(document, by=by, reason=reason)
    return request_document(application, document_code(application), by=by, reason=reason)


class NoDiplomaError(DomainError):
    code = "no_diploma"
    http_status = 409


def accept_diploma(application: Application, *, by: User) -> Document:
    """Accept the obtained diploma the candidate sent (the condition is lifted apart)."""
    document = _diploma_on_file(application)
    if document is None:
        raise NoDiplomaError(_("The file holds no diploma to accept."))
    return accept_document(document, by=by)


def lift_condition(application: Application, *, by: User) -> Application:
    """The office makes the admission final once it accepted the obtained diploma."""
    if not can_act_on_programme(by, application.programme_id, LIFTERS):
        raise NotAllowed(_("You may not lift conditions of admission on this programme."))
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("campaign", "programme", "candidate")
            .defer(*without_rulebooks("campaign"))
            .get(pk=application.pk)
        )
        status = Status(locked.status)
        if status not in ON_CONDITION:
            raise NotOnConditionError(
                _("This admission is not on condition (status: %(status)s).")
                % {"status": status.label}
            )
        condition = condition_of(locked)
        if condition is None or not condition.accepted:
            raise DiplomaNotAcceptedError(
                _(
                    "Accept the obtained diploma (%(document)s) first: the condition is lifted "
                    "on the copy the office accepted."
                )
                % {"document": condition.document_label if condition else ""},
                details={"document": document_code(locked)},
            )
        transition(
            locked,
            action=ON_CONDITION[status],
            by=by,
            details={"document": condition.document_code},
        )
        send_condition_lifted(locked, event=f"application:{locked.pk}:condition_lifted")
    application.refresh_from_db()
    return application


def lapse_unmet_conditions(now: dt.datetime | None = None) -> list[str]:
    """The periodic job: admissions still on condition after the rulebook's date lapse."""
    moment = now or timezone.now()
    lapsed: list[str] = []
    waiting = Application.objects.filter(status__in=list(ON_CONDITION)).order_by("pk")
    for pk, programme_id in list(waiting.values_list("pk", "programme_id")):
        with transaction.atomic():
            lock_programme(programme_id)
            locked = (
                Application.objects.select_for_update(of=("self",))
                .select_related("campaign", "programme", "candidate")
                .get(pk=pk)
            )
            condition = condition_of(locked)
            if condition is None or condition.deadline is None or not condition.late(moment):
                continue
            transition(
                locked,
                action="lapse_condition",
                by=None,
                details={
                    "deadline": condition.deadline.isoformat(),
                    "document": condition.document_code,
                    "document_state": condition.document_state,
                },
            )
            send_condition_lapsed(
                locked,
                event=f"application:{locked.pk}:condition_lapsed",
                deadline=condition.deadline,
            )
            lapsed.append(locked.reference)
    if lapsed:
        logger.info("admissions on condition lapsed: %s", lapsed)
    return lapsed
