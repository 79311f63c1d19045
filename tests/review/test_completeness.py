"""The completeness check moves the file: complete when all is accepted, back when rejected."""

from __future__ import annotations

import pytest

from admissions.applications.lifecycle import Status
from admissions.applications.models import ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.core.errors import IllegalTransition, NotAllowed, ValidationFailed
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document
from admissions.people.models import Role
from admissions.review import completeness, signals
from admissions.review.completeness import RejectionReason
from admissions.workflow.submission import submit
from tests.factories import (
    COVER_LETTER,
    PROFESSIONAL_PROJECT,
    accept_all_documents,
    draft,
    eligible_candidate,
    pay_fee,
    programme_of,
    staff_member,
)
from tests.review.conftest import SubmittedFile, documents_of, officer_of


def test_the_last_accepted_document_makes_the_file_complete(
    nord: Campaign, submitted: SubmittedFile
) -> None:
    application = submitted(nord)
    officer = officer_of(nord)
    documents = documents_of(application)
    assert len(documents) >= 2
    heard: list[dict[str, object]] = []

    def hear(**kwargs: object) -> None:
        heard.append(kwargs)

    signals.file_complete.connect(hear, dispatch_uid="test-complete")
    try:
        for document in documents[:-1]:
            assert completeness.accept(document, by=officer).status == Status.SUBMITTED
        assert heard == []
        assert completeness.accept(documents[-1], by=officer).status == Status.COMPLETE
    finally:
        signals.file_complete.disconnect(dispatch_uid="test-complete")
    assert heard
    assert heard[0]["application_id"] == application.pk
    event = ApplicationEvent.objects.get(
        application=application, action="application.mark_complete"
    )
    assert (event.actor, event.from_status, event.to_status) == (officer, "submitted", "complete")
    # Accepting again records nothing more.
    completeness.accept(documents[-1], by=officer)
    assert (
        ApplicationEvent.objects.filter(
            application=application, action="application.mark_complete"
        ).count()
        == 1
    )


def test_a_rejection_sends_the_file_back_with_the_reason(
    nord: Campaign, submitted: SubmittedFile
) -> None:
    application = submitted(nord)
    application.candidate.preferred_language = "en"
    application.candidate.save(update_fields=["preferred_language"])
    officer = officer_of(nord)
    first, second = documents_of(application)[:2]
    moved = completeness.reject(
        first, by=officer, reason=RejectionReason.ILLEGIBLE, note="  page 2 is cut  "
    )
    assert moved.status == Status.INCOMPLETE
    first.refresh_from_db()
    assert first.state == DocumentState.REJECTED_BY_STAFF
    # In the candidate's language, whatever the officer's.
    assert first.staff_reason == "Illegible or incomplete scan: page 2 is cut"
    event = ApplicationEvent.objects.get(
        application=application, action="application.request_documents"
    )
    assert event.details["requirement"] == first.requirement_code
    assert event.details["reason"] == first.staff_reason
    # A second rejection while the file is with the candidate does not move it again.
    completeness.reject(second, by=officer, reason=RejectionReason.EXPIRED)
    assert (
        ApplicationEvent.objects.filter(
            application=application, action="application.request_documents"
        ).count()
        == 1
    )


def test_a_complete_file_goes_back_when_a_document_is_rejected(
    nord: Campaign, submitted: SubmittedFile
) -> None:
    application = submitted(nord)
    officer = officer_of(nord)
    documents = documents_of(application)
    for document in documents:
        completeness.accept(document, by=officer)
    moved = completeness.reject(documents[0], by=officer, reason=RejectionReason.WRONG_DOCUMENT)
    assert moved.status == Status.INCOMPLETE


def test_other_needs_the_officers_words(nord: Campaign, submitted: SubmittedFile) -> None:
    application = submitted(nord)
    with pytest.raises(ValidationFailed):
        completeness.reject(
            documents_of(application)[0], by=officer_of(nord), reason=RejectionReason.OTHER
        )
    with pytest.raises(ValidationFailed):
        completeness.reject(documents_of(application)[0], by=officer_of(nord), reason="nope")


def test_mark_complete_is_refused_while_a_document_waits(
    nord: Campaign, submitted: SubmittedFile
) -> None:
    application = submitted(nord)
    officer = officer_of(nord)
    with pytest.raises(ValidationFailed) as refused:
        completeness.mark_complete(application, by=officer)
    details = refused.value.details
    assert isinstance(details, dict)
    assert sorted(details["documents"]) == [d.requirement_code for d in documents_of(application)]
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_the_fee_counts(nord: Campaign) -> None:
    application = draft(eligible_candidate(), nord)
    assert not completeness.fee_settled(application)
    pay_fee(application)
    assert completeness.fee_settled(application)


def test_a_draft_is_not_checked(nord: Campaign) -> None:
    application = draft(eligible_candidate(), nord)
    with pytest.raises(IllegalTransition):
        completeness.mark_complete(application, by=officer_of(nord))


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.JURY_MEMBER, Role.FINANCE_OFFICER])
def test_other_roles_do_not_check_completeness(
    nord: Campaign, submitted: SubmittedFile, role: Role
) -> None:
    application = submitted(nord)
    someone = staff_member(role, institution=nord.institution)
    with pytest.raises(NotAllowed):
        completeness.accept(documents_of(application)[0], by=someone)


def test_an_officer_of_another_school_does_not_check(
    nord: Campaign, bs: Campaign, submitted: SubmittedFile
) -> None:
    application = submitted(nord)
    with pytest.raises(NotAllowed):
        completeness.mark_complete(application, by=officer_of(bs))


def test_an_optional_document_not_sent_does_not_hold_the_file_back(bs: Campaign) -> None:
    candidate = eligible_candidate()
    application = draft(
        candidate,
        bs,
        programme_of(bs, "ms-transformation-digitale"),
        track="work_study",
        financing_mode="opco",
        cover_letter=COVER_LETTER,
        professional_project=PROFESSIONAL_PROJECT,
    )
    accept_all_documents(application)
    pay_fee(application)
    # "Optional further documents": the candidate sends none.
    Document.objects.filter(
        application=application, requirement_code="documents-complementaires"
    ).delete()
    submit(application, by=candidate)
    officer = officer_of(bs)
    for document in documents_of(application):
        completeness.accept(document, by=officer)
    application.refresh_from_db()
    assert application.status == Status.COMPLETE
