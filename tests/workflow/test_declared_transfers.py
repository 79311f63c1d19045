"""Paying the fee by bank transfer on the last day: declare it, submit, studied once matched."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.applications.errors import NotReadyError
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.documents import review
from admissions.documents.errors import DocumentLockedError
from admissions.documents.models import Document
from admissions.payments import ledger
from admissions.payments.models import Method
from admissions.people.models import Role, User
from admissions.rules.deadlines import PARIS
from admissions.rules.vocabulary import ChargeKind
from admissions.workflow import declared_transfers
from admissions.workflow.checks import Code, run_checks
from admissions.workflow.declared_transfers import (
    DeclarationNotAllowedError,
    declare_transfer,
    flag_unmatched,
)
from admissions.workflow.submission import submit
from tests.factories import (
    COVER_LETTER,
    PROFESSIONAL_PROJECT,
    accept_all_documents,
    draft,
    programme_of,
    staff_member,
)

# The last day of IMT Nord Europe's international deadline, late in the evening.
LAST_EVENING = dt.datetime(2024, 3, 17, 22, 30, tzinfo=PARIS)

Capture = object


@pytest.fixture
def unpaid(nord: Campaign, candidate: User) -> Application:
    """A complete file whose fee is still owed: IMT Nord Europe takes it by transfer only."""
    application = draft(
        candidate, nord, cover_letter=COVER_LETTER, professional_project=PROFESSIONAL_PROJECT
    )
    accept_all_documents(application)
    return application


def pay_by_transfer(application: Application) -> None:
    ledger.record_payment(
        application.pk,
        charge_kind=ChargeKind.APPLICATION_FEE,
        amount_cents=ledger.balance_cents(application.pk, ChargeKind.APPLICATION_FEE),
        method=Method.BANK_TRANSFER,
        by=None,
        external_id=f"bank-{application.reference}",
    )


def english(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def test_without_a_declaration_an_unpaid_file_cannot_be_submitted(
    unpaid: Application, candidate: User
) -> None:
    with translation.override("en"):
        problem = run_checks(unpaid).first(Code.FEE_UNPAID)
    assert problem is not None
    assert "If you have made the bank transfer, say so on the payments page" in problem.message
    with pytest.raises(NotReadyError):
        submit(unpaid, by=candidate)


def test_a_declared_transfer_lets_the_candidate_submit_on_the_last_evening(
    unpaid: Application, candidate: User, clock: time_machine.Coordinates
) -> None:
    clock.move_to(LAST_EVENING)
    declared = declare_transfer(unpaid, by=candidate)
    assert declare_transfer(unpaid, by=candidate) == declared  # recorded once
    assert unpaid.events.filter(action="application.fee_transfer_declared").count() == 1
    line = ledger.line_of(unpaid.pk, ChargeKind.APPLICATION_FEE, None)
    assert declared.creditor_reference == line.creditor_reference
    assert declared.creditor_reference.startswith("RF")
    assert run_checks(unpaid).first(Code.FEE_UNPAID) is None
    submit(unpaid, by=candidate)
    assert unpaid.status == Status.FEE_AWAITED
    assert unpaid.submitted_at is not None
    assert unpaid.events.filter(action="application.submit_awaiting_fee").count() == 1
    # Submitting again changes nothing.
    submit(unpaid, by=candidate)
    assert unpaid.events.filter(action="application.submit_awaiting_fee").count() == 1


def test_a_fee_awaited_file_is_not_studied(
    nord: Campaign, unpaid: Application, candidate: User
) -> None:
    declare_transfer(unpaid, by=candidate)
    submit(unpaid, by=candidate)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    cv = Document.objects.get(application=unpaid, requirement_code="cv")
    with pytest.raises(DocumentLockedError):
        review.reject_document(cv, by=officer, reason="Trop ancien.")


def test_the_file_moves_on_when_the_transfer_is_matched(
    unpaid: Application, candidate: User, django_capture_on_commit_callbacks: Capture
) -> None:
    declare_transfer(unpaid, by=candidate)
    submit(unpaid, by=candidate)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        pay_by_transfer(unpaid)
    unpaid.refresh_from_db()
    assert unpaid.status == Status.SUBMITTED
    moved = unpaid.events.get(action="application.receive_fee")
    assert (moved.from_status, moved.to_status, moved.actor) == (
        Status.FEE_AWAITED,
        Status.SUBMITTED,
        None,
    )
    assert declared_transfers.declaration(unpaid) is None


def test_the_periodic_sweep_moves_on_a_file_whose_fee_was_settled_otherwise(
    unpaid: Application, candidate: User
) -> None:
    declare_transfer(unpaid, by=candidate)
    submit(unpaid, by=candidate)
    pay_by_transfer(unpaid)  # its commit hook never ran
    assert declared_transfers.sweep_fee_awaited() == [unpaid.reference]
    unpaid.refresh_from_db()
    assert unpaid.status == Status.SUBMITTED
    assert declared_transfers.sweep_fee_awaited() == []


def test_an_unmatched_declaration_is_flagged_once_to_finance_and_the_candidate(
    nord: Campaign, unpaid: Application, candidate: User, clock: time_machine.Coordinates
) -> None:
    declare_transfer(unpaid, by=candidate)
    submit(unpaid, by=candidate)
    clock.shift(dt.timedelta(days=9, hours=23))
    assert flag_unmatched() == []
    clock.shift(dt.timedelta(hours=2))
    assert flag_unmatched() == [unpaid.reference]
    assert flag_unmatched() == []
    assert unpaid.events.filter(action="application.fee_transfer_unmatched").count() == 1
    # The candidate reads it on the status page.
    client = Client()
    client.force_login(candidate)
    page = client.get(english("portal:application_status", unpaid.reference)).content.decode()
    assert "Your transfer has not reached the school 10 days after you declared it" in page
    reference = ledger.line_of(unpaid.pk, ChargeKind.APPLICATION_FEE, None).creditor_reference
    assert reference[:4] in page
    # Finance reads it on its home page.
    finance = staff_member(Role.FINANCE_OFFICER, institution=nord.institution)
    client.force_login(finance)
    page = client.get(english("office:finance:index")).content.decode()
    assert 'id="unmatched"' in page
    assert unpaid.reference in page
    assert "Camille Martin" in page  # the profile's name, not the address


def test_a_school_taking_the_fee_by_card_takes_no_declaration(
    bs: Campaign, candidate: User
) -> None:
    application = draft(
        candidate, bs, programme_of(bs, "ms-achats-supply-chain"), financing_mode="personnel"
    )
    with pytest.raises(DeclarationNotAllowedError):
        declare_transfer(application, by=candidate)


def test_the_candidate_declares_from_the_application_page(
    unpaid: Application, candidate: User
) -> None:
    client = Client()
    client.force_login(candidate)
    page = client.get(english("portal:application", unpaid.reference)).content.decode()
    action = english("portal:application_declare_transfer", unpaid.reference)
    assert action in page
    reference = ledger.line_of(unpaid.pk, ChargeKind.APPLICATION_FEE, None).creditor_reference
    assert reference[:4] in page  # the RF reference is shown again
    response = client.post(action)
    assert response.status_code == 302
    assert declared_transfers.declaration(unpaid) is not None
    response = client.post(
        english("portal:application", unpaid.reference),
        {
            "action": "submit",
            "track": unpaid.track,
            "financing_mode": unpaid.financing_mode,
            "professional_project": unpaid.professional_project,
        },
    )
    unpaid.refresh_from_db()
    assert unpaid.status == Status.FEE_AWAITED
    status_page = client.get(english("portal:application_status", unpaid.reference))
    page = status_page.content.decode()
    assert "Submitted, fee awaited" in page
    history = page[page.index('id="history-title"') :]
    assert "Fee transfer declared" in history
    assert "Application submitted, fee awaited" in history
