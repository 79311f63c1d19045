"""Candidates are named by their profile's name everywhere staff and documents name them, and an
invoice for a funder's share is addressed to the funder."""

from __future__ import annotations

import csv
import io

import pikepdf
import pytest
import time_machine
from django.test import Client

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.payments import ledger, receipts
from admissions.payments.models import Method
from admissions.people.models import Role, User
from admissions.rules.vocabulary import ChargeKind
from tests.documents.pdftext import pdf_text
from tests.factories import (
    IN_NORD_CAMPAIGN,
    CandidateProfileFactory,
    EducationFactory,
    draft,
    load_preset,
    programme_of,
    staff_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def nord() -> Campaign:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        return load_preset("imt-nord-europe")


@pytest.fixture
def sofia() -> User:
    """A candidate whose account holds no name: only her profile does."""
    profile = CandidateProfileFactory(given_names="Sofia", family_name="Rossi")
    EducationFactory(profile=profile)
    user: User = profile.user
    user.first_name = user.last_name = ""
    user.save()
    return user


def submitted(candidate: User, campaign: Campaign, **choices: str) -> Application:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        application = draft(candidate, campaign, **choices)
    Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)
    return application


def test_the_display_name_comes_from_the_profile(sofia: User) -> None:
    assert sofia.display_name == "Sofia Rossi"
    assert str(sofia) == "Sofia Rossi"
    nobody = User.objects.create_user("nobody@example.org")
    assert nobody.display_name == "nobody@example.org"


def test_receipts_name_the_candidate_by_the_profile(nord: Campaign, sofia: User) -> None:
    application = submitted(sofia, nord)
    payment = ledger.record_payment(
        application.pk,
        charge_kind=ChargeKind.APPLICATION_FEE,
        amount_cents=6_000,
        method=Method.BANK_TRANSFER,
        by=None,
    )
    receipt = receipts.issue_receipt(payment, application=application)
    assert receipt.content["candidate"]["name"] == "Sofia Rossi"
    text = pdf_text(pikepdf.open(io.BytesIO(receipts.render_document(receipt, language="en"))))
    assert "Sofia Rossi" in text


def test_an_invoice_for_the_funder_s_share_is_addressed_to_the_funder(
    nord: Campaign, sofia: User
) -> None:
    application = submitted(sofia, nord, financing_mode="plan-formation-entreprise")
    tuition = ledger.charge(
        application.pk, charge_kind=ChargeKind.TUITION, instalment=1, amount_cents=416_700, by=None
    )
    invoice = receipts.issue_invoice(tuition, by=None)
    assert invoice.content["funder"] == {"fr": "votre employeur", "en": "your employer"}
    text = pdf_text(pikepdf.open(io.BytesIO(receipts.render_document(invoice, language="en"))))
    assert "Billed to: Your employer" in text
    assert "Trainee: Sofia Rossi" in text
    # The candidate's own charges are billed to the candidate.
    fee = ledger.charge(
        application.pk, charge_kind=ChargeKind.DEPOSIT, amount_cents=45_000, by=None
    )
    own = receipts.issue_invoice(fee, by=None)
    assert own.content["funder"] is None
    text = pdf_text(pikepdf.open(io.BytesIO(receipts.render_document(own, language="en"))))
    assert "Billed to: Sofia Rossi" in text


def test_staff_lists_and_exports_name_the_candidate(nord: Campaign, sofia: User) -> None:
    application = submitted(sofia, nord)
    ledger.record_payment(
        application.pk,
        charge_kind=ChargeKind.APPLICATION_FEE,
        amount_cents=6_000,
        method=Method.BANK_TRANSFER,
        by=None,
    )
    client = Client()
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    client.force_login(officer)
    home = client.get("/en/office/").content.decode()
    assert "Sofia Rossi" in home
    assert sofia.email not in home
    documents = client.get(f"/en/documents/{application.reference}/").content.decode()
    assert "Candidate: Sofia Rossi" in documents
    finance = staff_member(Role.FINANCE_OFFICER, institution=nord.institution)
    client.force_login(finance)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/en/office/finance/export/", {"format": "csv"}).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert {row[2] for row in rows[1:]} == {"Sofia Rossi"}
    file_page = client.get(f"/en/office/finance/files/{application.reference}/").content.decode()
    assert "Sofia Rossi" in file_page


def test_the_region_is_the_payer_of_a_place_it_funds(nord: Campaign, sofia: User) -> None:
    application = submitted(
        sofia,
        nord,
        programme=programme_of(nord, "ms-batiment-bas-carbone"),  # type: ignore[arg-type]
        financing_mode="region-hauts-de-france",
    )
    tuition = ledger.charge(
        application.pk, charge_kind=ChargeKind.TUITION, instalment=1, amount_cents=250_000, by=None
    )
    invoice = receipts.issue_invoice(tuition, by=None)
    assert invoice.content["funder"]["fr"] == "la Région Hauts-de-France"
