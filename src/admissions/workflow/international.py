"""A non-EU candidate after admission: the Campus France number, the admission certificate
for the visa, the visa's outcome.

Concerns admitted files (confirmed or not) of a candidate whose nationality is outside the
EU (the profile's, read through `rules.countries`). A refused visa is recorded by the office
once it accepted the consulate's decision, sent under the rulebook's
`international.visa_refusal_document`: the refund of what the rulebook allows on
`visa_refused` (the first instalment at IMT Nord Europe) is asked for in the same
transaction, then the place is released (`release_visa_refused`) and the waiting list is
called by the move's receiver.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.history import record_event, transition
from admissions.applications.lifecycle import REGISTERING, Status
from admissions.applications.models import Application
from admissions.catalog.models import without_rulebooks
from admissions.core.errors import DomainError, NotAllowed, ValidationFailed
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document
from admissions.payments import ledger
from admissions.payments.models import RefundRequest
from admissions.payments.pdf import render_pdf
from admissions.people.models import CandidateProfile, Role, User
from admissions.people.permissions import can_act_on_programme
from admissions.rules.countries import is_eu
from admissions.rules.vocabulary import ChargeKind, RefundEvent
from admissions.workflow.models import InternationalFile, VisaOutcome
from admissions.workflow.places import lock_programme
from admissions.workflow.refunds import request_refund

RECORDERS = (Role.ADMISSIONS_OFFICER, Role.INSTITUTION_ADMIN)
# "Études en France" numbers: letters, digits and dashes (such as "FR24-00123").
CAMPUS_FRANCE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,38}$")
# What the visa's refusal releases: any admission, confirmed or not.
RELEASABLE = REGISTERING


class NotInternationalError(DomainError):
    code = "not_international"
    http_status = 409


class RefusalNotProvenError(DomainError):
    code = "visa_refusal_not_proven"
    http_status = 409


def concerned(application: Application) -> bool:
    """A non-EU national's admitted file (any nationality outside the EU, France aside)."""
    if application.status not in REGISTERING and application.status != Status.WITHDRAWN:
        return False
    profile = CandidateProfile.objects.filter(user_id=application.candidate_id).first()
    return bool(profile and profile.nationality and not is_eu(profile.nationality))


@dataclass(frozen=True)
class VisaSteps:
    campus_france: bool  # the rulebook sends non-EU candidates through Campus France
    number: str
    certificate_issued_at: dt.datetime | None
    outcome: VisaOutcome
    decided_on: dt.date | None
    refusal_document: str  # the requirement code of the refusal's proof, "" if none
    refusal_state: str  # its document state


def steps_of(application: Application) -> VisaSteps | None:
    if not concerned(application):
        return None
    rules = application.campaign.rules.international
    found = InternationalFile.objects.filter(application=application).first()
    code = rules.visa_refusal_document or ""
    document = (
        Document.objects.filter(application=application, requirement_code=code)
        .filter(translation_of__isnull=True)
        .only("state")
        .first()
        if code
        else None
    )
    return VisaSteps(
        campus_france=rules.campus_france_for_non_eu,
        number=found.campus_france_number if found else "",
        certificate_issued_at=found.certificate_issued_at if found else None,
        outcome=VisaOutcome(found.visa_outcome) if found else VisaOutcome.PENDING,
        decided_on=found.visa_decided_on if found else None,
        refusal_document=code,
        refusal_state=document.state if document else DocumentState.MISSING.value,
    )


def _may_record(by: User, application: Application) -> None:
    if application.candidate_id == by.pk:
        return
    if not can_act_on_programme(by, application.programme_id, RECORDERS):
        raise NotAllowed(_("You may not record the visa steps of this file."))


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("campaign", "programme", "candidate")
        .defer(*without_rulebooks("campaign"))
        .get(pk=application.pk)
    )


def record_campus_france_number(application: Application, *, by: User, number: str) -> None:
    """The candidate (or the office) records the "Études en France" file number."""
    number = number.strip().upper()
    if not CAMPUS_FRANCE_NUMBER.match(number):
        raise ValidationFailed(
            _("Type the number of your Études en France file: letters, digits and dashes."),
            details={"field": "number"},
        )
    _may_record(by, application)
    with transaction.atomic():
        locked = _locked(application)
        if not concerned(locked):
            raise NotInternationalError(_("This file has no visa steps."))
        found, _created = InternationalFile.objects.get_or_create(application=locked)
        if found.campus_france_number == number:
            return
        before = found.campus_france_number
        found.campus_france_number = number
        found.save(update_fields=["campus_france_number", "updated_at"])
        record_event(
            locked,
            action="international.campus_france_number",
            by=by,
            details={"number": number, "before": before},
        )


def admission_certificate(application: Application, *, by: User, language: str) -> bytes:
    """The admission certificate a consulate asks for, in French or English (PDF)."""
    _may_record(by, application)
    if not concerned(application):
        raise NotInternationalError(_("This file has no visa steps."))
    profile = CandidateProfile.objects.filter(user_id=application.candidate_id).first()
    programme = application.programme
    institution = programme.institution
    found = InternationalFile.objects.filter(application=application).first()
    issued = timezone.now()
    pdf = render_pdf(
        "workflow/pdf/admission_certificate.html",
        {
            "application": application,
            "profile": profile,
            "programme": programme,
            "institution": institution,
            "site": programme.site,
            "campaign": application.campaign,
            "starts_on": application.campaign.rules.programme(programme.slug).starts_on,
            "duration_months": programme.duration_months,
            "confirmed": application.status in {Status.CONFIRMED, Status.CONFIRMED_CONDITIONALLY},
            "on_condition": application.status
            in {Status.ADMITTED_CONDITIONALLY, Status.CONFIRMED_CONDITIONALLY},
            "number": found.campus_france_number if found else "",
            "issued": issued,
        },
        language=language,
    )
    with transaction.atomic():
        locked = _locked(application)
        row, _created = InternationalFile.objects.get_or_create(application=locked)
        first = row.certificate_issued_at is None
        row.certificate_issued_at = issued
        row.save(update_fields=["certificate_issued_at", "updated_at"])
        if first:
            record_event(
                locked,
                action="international.certificate_issued",
                by=by,
                details={"language": language},
            )
    return pdf


def record_visa_granted(application: Application, *, by: User, decided_on: dt.date) -> None:
    if not can_act_on_programme(by, application.programme_id, RECORDERS):
        raise NotAllowed(_("You may not record the visa steps of this file."))
    with transaction.atomic():
        locked = _locked(application)
        if not concerned(locked) or locked.status not in RELEASABLE:
            raise NotInternationalError(_("This file has no visa steps."))
        row, _created = InternationalFile.objects.get_or_create(application=locked)
        if row.visa_outcome == VisaOutcome.GRANTED:
            return
        row.visa_outcome = VisaOutcome.GRANTED
        row.visa_decided_on = decided_on
        row.save(update_fields=["visa_outcome", "visa_decided_on", "updated_at"])
        record_event(
            locked,
            action="international.visa_granted",
            by=by,
            details={"decided_on": decided_on.isoformat()},
        )


def record_visa_refused(
    application: Application, *, by: User, decided_on: dt.date
) -> RefundRequest | None:
    """The visa is refused, its decision accepted by the office: the refund the rulebook
    allows is asked for, then the place is released. Returns the refund asked, if any."""
    if not can_act_on_programme(by, application.programme_id, RECORDERS):
        raise NotAllowed(_("You may not record the visa steps of this file."))
    with transaction.atomic():
        lock_programme(application.programme_id)
        locked = _locked(application)
        if not concerned(locked) or locked.status not in RELEASABLE:
            raise NotInternationalError(_("This file has no visa steps."))
        steps = steps_of(locked)
        if steps is None or steps.refusal_state != DocumentState.ACCEPTED_BY_STAFF:
            raise RefusalNotProvenError(
                _(
                    "Accept the consulate's decision sent by the candidate first: it proves "
                    "the refusal."
                ),
                details={"document": steps.refusal_document if steps else ""},
            )
        row, _created = InternationalFile.objects.get_or_create(application=locked)
        row.visa_outcome = VisaOutcome.REFUSED
        row.visa_decided_on = decided_on
        row.save(update_fields=["visa_outcome", "visa_decided_on", "updated_at"])
        record_event(
            locked,
            action="international.visa_refused",
            by=by,
            details={"decided_on": decided_on.isoformat(), "document": steps.refusal_document},
        )
        refund = _refund_first_instalment(locked, by=by)
        transition(
            locked,
            action="release_visa_refused",
            by=by,
            details={"refund_request": refund.pk if refund else None},
        )
    application.refresh_from_db()
    return refund


def _refund_first_instalment(application: Application, *, by: User) -> RefundRequest | None:
    """Asked while the file still holds its place: what the rulebook allows on a refused
    visa, for what was paid of it."""
    rules = application.campaign.rules
    allowed = [
        rule for rule in rules.refunds if rule.event == RefundEvent.VISA_REFUSED and rule.allowed
    ]
    if not allowed:
        return None
    line = next(
        (
            line
            for line in ledger.lines(application.pk)
            if line.charge_kind == ChargeKind.TUITION and line.instalment == 1
        ),
        None,
    )
    if line is None or line.refundable <= 0:
        return None
    return request_refund(
        application,
        charge_kind=ChargeKind.TUITION,
        instalment=1,
        event=RefundEvent.VISA_REFUSED,
        by=by,
        visa_refusal_proven=True,
        reason=_("Visa refused"),
    )
