"""The pre-submission check: the schools' most frequent mistakes, caught before submission.

Both guides list the mistakes that get files rejected: an incomplete file, a generic cover
letter, a vague professional project, a missed deadline, non-compliant or expired files,
eligibility not checked (and poor interview preparation, which no form can check). Each
becomes a check below with a message in the reader's language and the place to fix it.
A file is ready to submit when no check finds a problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from admissions.applications.deadline import candidate_deadline
from admissions.applications.eligibility import Assessment, assess, problem_text
from admissions.applications.lifecycle import REGISTERING
from admissions.applications.models import Application
from admissions.applications.texts import (
    asked_texts,
    counted_length,
    min_length,
    near_identical,
)
from admissions.documents.status import (
    ChecklistRow,
    application_checklist,
    checklist_with_states,
    expired_documents,
    missing_requirements,
)
from admissions.payments import ledger
from admissions.people.profile import CandidateProfile
from admissions.rules.checklist import (
    ChecklistError,
    ChecklistItem,
    document_checklist,
    for_stage,
)
from admissions.rules.deadlines import PARIS, paris_date
from admissions.rules.money import to_cents
from admissions.rules.vocabulary import Track
from admissions.workflow.declared_transfers import allowed_days, declaration


class Code(StrEnum):
    PROFILE_INCOMPLETE = "profile_incomplete"
    NOT_ELIGIBLE = "not_eligible"
    MISSING_DOCUMENT = "missing_document"
    DOCUMENT_EXPIRED = "document_expired"
    TEXT_TOO_SHORT = "text_too_short"
    TEXT_DUPLICATED = "text_duplicated"
    DEADLINE_PASSED = "deadline_passed"
    FEE_UNPAID = "fee_unpaid"
    INVALID_CHOICE = "invalid_choice"
    FUNDING_NOT_OPEN = "funding_not_open"


class Fix(StrEnum):
    """Where the candidate fixes a problem."""

    PROFILE = "profile"
    DOCUMENTS = "documents"
    TEXTS = "texts"
    FEE = "fee"
    NONE = "none"  # nothing to fix: a passed deadline


@dataclass(frozen=True)
class Problem:
    code: Code
    message: str
    fix: Fix
    field: str = ""  # the form field to fix, e.g. "cover_letter"
    item: str = ""  # the checklist item concerned

    def as_data(self) -> dict[str, str]:
        return {
            "code": str(self.code),
            "message": self.message,
            "fix": str(self.fix),
            "field": self.field,
            "item": self.item,
        }


@dataclass(frozen=True)
class ChecklistLine:
    """One document to provide, and where the candidate's copy of it stands."""

    code: str
    label: str
    help: str
    why: str
    formats: tuple[str, ...]
    provided_by: str
    state: str  # a DocumentState value, or "missing"
    state_label: str
    satisfied: bool
    note: str  # why a file was refused or rejected
    optional: bool = False
    due: str = "application"  # "confirmation", "registration": asked after admission
    required: bool = True  # needed to submit the file


@dataclass
class Report:
    assessment: Assessment  # the eligibility answer the checks used
    deadline: dt.datetime  # the first instant (UTC) at which a submission is late
    problems: list[Problem] = field(default_factory=list)
    checklist: list[ChecklistLine] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems

    def first(self, code: Code) -> Problem | None:
        return next((problem for problem in self.problems if problem.code == code), None)

    def codes(self) -> list[str]:
        return [str(problem.code) for problem in self.problems]

    def as_data(self) -> list[dict[str, str]]:
        return [problem.as_data() for problem in self.problems]


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def check_deadline(deadline: dt.datetime, now: dt.datetime) -> list[Problem]:
    if now < deadline:
        return []
    last_day = (deadline.astimezone(PARIS) - dt.timedelta(seconds=1)).date()
    return [
        Problem(
            Code.DEADLINE_PASSED,
            _(
                "The deadline to submit this application was %(day)s at midnight (Paris time): "
                "it can no longer be submitted."
            )
            % {"day": date_format(last_day, "DATE_FORMAT")},
            Fix.NONE,
        )
    ]


def check_eligibility(assessment: Assessment) -> list[Problem]:
    if assessment.result is None:
        return [
            Problem(Code.PROFILE_INCOMPLETE, problem_text(assessment.problem_code), Fix.PROFILE)
        ]
    if assessment.result.eligible:
        return []
    language = _language()
    return [
        Problem(
            Code.NOT_ELIGIBLE,
            _("You are not eligible: %(reason)s") % {"reason": reason.text.get(language)},
            Fix.PROFILE,
        )
        for reason in assessment.result.reasons
    ]


def checklist_items(application: Application, assessment: Assessment) -> list[ChecklistItem]:
    """The documents this candidate must provide; without their facts, those everyone gives."""
    if assessment.result is None or assessment.facts is None:
        return application_checklist(application)
    return document_checklist(
        application.rules,
        application.programme.slug,
        Track(application.track),
        application.financing_mode,
        assessment.facts,
        assessment.result,
    )


def _line(row: ChecklistRow, language: str) -> ChecklistLine:
    item: ChecklistItem = row.item
    document = row.document
    note = ""
    if document is not None:
        note = document.staff_reason or document.refusal_message
    return ChecklistLine(
        code=item.code,
        label=item.label.get(language),
        help=item.help.get(language) if item.help else "",
        why=item.why.get(language) if item.why else "",
        formats=tuple(str(f) for f in item.formats),
        provided_by=item.provided_by,
        state=str(row.state),
        state_label=str(row.state.label),
        satisfied=row.satisfied,
        note=note,
        optional=item.optional,
        due=str(item.due),
        required=item.required_to_submit,
    )


def check_documents(
    application: Application, items: list[ChecklistItem], today: dt.date, language: str
) -> list[Problem]:
    """Items without an accepted file, and files past their validity date.

    Documents the school itself adds (a funding quote), optional ones and those asked only
    after admission (the CVEC attestation) do not hold the candidate back.
    """
    theirs = [item for item in items if item.required_to_submit]
    labels = {item.code: item.label.get(language) for item in theirs}
    problems = [
        Problem(
            Code.MISSING_DOCUMENT,
            _("Document missing or not accepted: %(label)s.") % {"label": labels[code]},
            Fix.DOCUMENTS,
            item=code,
        )
        for code in missing_requirements(application, theirs)
    ]
    for document in expired_documents(application, today):
        if document.requirement_code not in labels or document.valid_until is None:
            continue
        problems.append(
            Problem(
                Code.DOCUMENT_EXPIRED,
                _("%(label)s expired on %(day)s: upload a valid one.")
                % {
                    "label": labels[document.requirement_code],
                    "day": date_format(document.valid_until, "DATE_FORMAT"),
                },
                Fix.DOCUMENTS,
                item=document.requirement_code,
            )
        )
    return problems


def check_permit(profile: CandidateProfile | None, today: dt.date) -> list[Problem]:
    if profile is None or not profile.permit_kind or profile.permit_valid_until is None:
        return []
    if profile.permit_valid_until >= today:
        return []
    return [
        Problem(
            Code.DOCUMENT_EXPIRED,
            _(
                "Your residence permit expired on %(day)s: renew it and update your profile "
                "with its new end of validity."
            )
            % {"day": date_format(profile.permit_valid_until, "DATE_FORMAT")},
            Fix.PROFILE,
            field="permit_valid_until",
        )
    ]


def _too_short(name: str, length: int, minimum: int) -> str:
    values = {"length": length, "minimum": minimum}
    if name == "cover_letter":
        return (
            _(
                "Your cover letter is too short (%(length)d characters, at least %(minimum)d): "
                "write it for this programme, in your own words."
            )
            % values
        )
    return (
        _(
            "Your professional project is too short (%(length)d characters, at least "
            "%(minimum)d): say which job you aim for and how this programme gets you there."
        )
        % values
    )


def _copied(name: str, reference: str) -> str:
    if name == "cover_letter":
        return _(
            "Your cover letter is the same as in your application %(ref)s: a generic letter "
            "is one of the most frequent reasons for refusal. Write it for this programme."
        ) % {"ref": reference}
    return _(
        "Your professional project is the same as in your application %(ref)s: a vague "
        "project is one of the most frequent reasons for refusal. Write it for this programme."
    ) % {"ref": reference}


def check_texts(application: Application) -> list[Problem]:
    """Texts too short to say anything, or copied from another of the candidate's files."""
    rules = application.rules
    others: list[dict[str, str]] = [
        {"reference": ref, "cover_letter": letter, "professional_project": project}
        for ref, letter, project in Application.objects.filter(
            candidate_id=application.candidate_id
        )
        .exclude(pk=application.pk)
        .values_list("reference", "cover_letter", "professional_project")
    ]
    problems: list[Problem] = []
    for name in asked_texts(rules):
        text: str = getattr(application, name)
        minimum = min_length(rules, name)
        length = counted_length(text)
        if length < minimum:
            problems.append(
                Problem(
                    Code.TEXT_TOO_SHORT,
                    _too_short(name, length, minimum),
                    Fix.TEXTS,
                    field=name,
                )
            )
            continue
        copied = next((o["reference"] for o in others if near_identical(text, o[name])), None)
        if copied is not None:
            problems.append(
                Problem(Code.TEXT_DUPLICATED, _copied(name, copied), Fix.TEXTS, field=name)
            )
    return problems


def check_funding(application: Application, profile: CandidateProfile | None) -> list[Problem]:
    """A financing mode open only to people registered with France Travail."""
    try:
        mode = application.rules.financing_mode(application.financing_mode)
    except KeyError:
        return []
    if not mode.requires_france_travail or (profile and profile.france_travail_registered):
        return []
    return [
        Problem(
            Code.FUNDING_NOT_OPEN,
            _(
                "“%(mode)s” is open only to people registered with France Travail (formerly "
                "Pôle Emploi): say in your profile that you are, or choose another financing "
                "mode."
            )
            % {"mode": mode.label.get(_language())},
            Fix.PROFILE,
            field="france_travail_registered",
        )
    ]


def check_fee(application: Application) -> list[Problem]:
    """The fee is paid, or its bank transfer declared where the rulebook takes that."""
    status = ledger.fee_status(application.pk)
    if status in (ledger.FeeStatus.PAID, ledger.FeeStatus.WAIVED):
        return []
    fee = to_cents(application.rules.fees.application.amount)
    if status == ledger.FeeStatus.NOT_CHARGED and fee == 0:
        return []
    if declaration(application) is not None:
        return []
    if allowed_days(application) is not None:
        message = _(
            "The application fee is not paid yet. If you have made the bank transfer, say so "
            "on the payments page: you can then submit, and your file is studied once the "
            "transfer is matched."
        )
    else:
        message = _("The application fee is not paid yet.")
    return [Problem(Code.FEE_UNPAID, message, Fix.FEE)]


def run_checks(application: Application, *, now: dt.datetime | None = None) -> Report:
    """Every check, in the order a candidate fixes things: profile, documents, texts, fee."""
    moment = now or timezone.now()
    today = paris_date(moment)
    language = _language()
    assessment = assess(application, on=today)
    deadline = candidate_deadline(application.campaign, assessment.facts)
    report = Report(assessment=assessment, deadline=deadline)
    report.problems += check_deadline(deadline, moment)
    report.problems += check_eligibility(assessment)
    report.problems += check_permit(assessment.profile, today)
    report.problems += check_funding(application, assessment.profile)
    items: list[ChecklistItem]
    try:
        items = checklist_items(application, assessment)
    except ChecklistError:
        items = []
        report.problems.append(
            Problem(
                Code.INVALID_CHOICE,
                _("Your financing mode does not fit your track: choose them again."),
                Fix.TEXTS,
                field="financing_mode",
            )
        )
    shown = for_stage(items, admitted=application.status in REGISTERING)
    report.checklist = [_line(row, language) for row in checklist_with_states(application, shown)]
    report.problems += check_documents(application, items, today, language)
    report.problems += check_texts(application)
    report.problems += check_fee(application)
    return report
