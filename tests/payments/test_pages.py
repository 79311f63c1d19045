from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Programme
from admissions.payments import ledger, mandates, services
from admissions.payments.models import FinanceDocument, Mandate, Method
from admissions.people.models import User
from admissions.rules import creditor_reference
from admissions.rules.vocabulary import ChargeKind
from tests.payments.conftest import MakeApplication

FEE = ChargeKind.APPLICATION_FEE


@pytest.fixture
def nord_fee(nord_campaign: Campaign, make_application: MakeApplication) -> Application:
    application = make_application(nord_campaign)
    ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    return application


def test_simulator_in_two_steps(client: Client, nord_campaign: Campaign) -> None:
    cyber = Programme.objects.get(slug="cyber")
    first = client.get("/en/payments/simulator/")
    assert first.status_code == 200
    assert "MS Cybersecurity" in first.content.decode()
    second = client.get("/en/payments/simulator/", {"programme": cyber.pk})
    text = second.content.decode()
    assert 'name="financing_mode"' in text
    assert "Employer training plan" in text
    result = client.get(
        "/en/payments/simulator/",
        {"programme": cyber.pk, "financing_mode": "personal", "track": "full_time"},
    )
    text = result.content.decode()
    assert "€9,000" in text  # tuition
    assert "€100" in text  # CVEC
    assert "€9,160" in text  # with the application fee
    assert text.count("€3,000") == 3  # three instalments
    french = client.get(
        "/payments/simulator/",
        {"programme": cyber.pk, "financing_mode": "employer", "track": "full_time"},
    ).content.decode()
    assert "14\u202f060\u00a0€" in french


def test_simulator_refuses_a_choice_the_rulebook_does_not_offer(
    client: Client, nord_campaign: Campaign
) -> None:
    data = Programme.objects.get(slug="data")
    answer = client.get(
        "/en/payments/simulator/",
        {"programme": data.pk, "financing_mode": "personal", "track": "work_study"},
    )
    assert answer.status_code == 200
    assert "Select a valid choice" in answer.content.decode()
    assert client.get("/en/payments/simulator/", {"programme": "nope"}).status_code == 200


def test_payment_pages_need_the_owner(
    client: Client, candidate: User, other_candidate: User, nord_fee: Application
) -> None:
    url = f"/payments/{nord_fee.reference}/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(other_candidate)
    assert client.get(url).status_code == 404
    assert client.get(f"{url}transfer/application_fee/0/").status_code == 404
    client.force_login(candidate)
    assert client.get(url).status_code == 200
    assert client.get(f"{url}transfer/nonsense/0/").status_code == 404
    assert client.get(f"{url}transfer/deposit/0/").status_code == 404  # nothing charged


def test_transfer_instructions_with_reference_and_bank_details(
    client: Client, candidate: User, nord_fee: Application
) -> None:
    client.force_login(candidate)
    charge_ref = ledger.line_of(nord_fee.pk, FEE, None).creditor_reference
    assert creditor_reference.is_valid(charge_ref)
    page = client.get(f"/en/payments/{nord_fee.reference}/transfer/application_fee/0/")
    text = page.content.decode()
    assert creditor_reference.printed(charge_ref) in text
    assert "FR76 1007 1590 0000 0010 2433 444" in text
    assert "TRPUFRP1" in text
    assert "€60" in text
    pdf = client.get(f"/en/payments/{nord_fee.reference}/transfer/application_fee/0/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_no_transfer_page_without_a_bank_account(
    client: Client, candidate: User, bs_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(bs_campaign)
    ledger.charge(application.pk, charge_kind=FEE, amount_cents=8_000, by=None)
    client.force_login(candidate)
    answer = client.get(f"/payments/{application.reference}/transfer/application_fee/0/")
    assert answer.status_code == 302


def test_mandate_form_explains_a_wrong_iban_and_keeps_the_input(
    client: Client, candidate: User, nord_fee: Application
) -> None:
    client.force_login(candidate)
    url = f"/en/payments/{nord_fee.reference}/mandate/"
    answer = client.post(
        url,
        {"holder": "Camille Martin", "iban": "FR14 2004 1010 0505 0001 3M02 607", "consent": "on"},
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "This IBAN is not valid" in text
    assert "FR14 2004 1010 0505 0001 3M02 607" in text
    assert not Mandate.objects.exists()
    missing_consent = client.post(
        url, {"holder": "Camille Martin", "iban": "FR1420041010050500013M02606"}
    )
    assert missing_consent.status_code == 200
    assert not Mandate.objects.exists()
    done = client.post(
        url,
        {"holder": "Camille Martin", "iban": "FR14 2004 1010 0505 0001 3M02 606", "consent": "on"},
    )
    assert done.status_code == 302
    assert Mandate.objects.get().iban == "FR1420041010050500013M02606"


def test_receipts_and_invoices_download(
    client: Client, candidate: User, nord_fee: Application
) -> None:
    ledger.record_payment(
        nord_fee.pk, charge_kind=FEE, amount_cents=6_000, method=Method.BANK_TRANSFER, by=None
    )
    client.force_login(candidate)
    receipt = FinanceDocument.objects.get()
    for language in ("fr", "en"):
        answer = client.get(
            f"/payments/{nord_fee.reference}/documents/{receipt.pk}/?lang={language}"
        )
        assert answer["Content-Type"] == "application/pdf"
        assert answer.content.startswith(b"%PDF")
    invoice = client.post(f"/payments/{nord_fee.reference}/invoice/application_fee/0/")
    assert invoice.status_code == 302
    assert FinanceDocument.objects.filter(kind="invoice").count() == 1
    assert client.get(invoice["Location"]).content.startswith(b"%PDF")
    overview = client.get(f"/en/payments/{nord_fee.reference}/").content.decode()
    assert "R-000001" in overview
    assert "F-000001" in overview


def test_documents_of_another_file_are_not_served(
    client: Client,
    candidate: User,
    other_candidate: User,
    nord_campaign: Campaign,
    make_application: MakeApplication,
) -> None:
    mine = make_application(nord_campaign)
    theirs = make_application(nord_campaign, owner=other_candidate)
    ledger.charge(theirs.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    ledger.record_payment(
        theirs.pk, charge_kind=FEE, amount_cents=6_000, method=Method.CARD, by=None
    )
    document = FinanceDocument.objects.get()
    client.force_login(candidate)
    assert client.get(f"/payments/{mine.reference}/documents/{document.pk}/").status_code == 404
    assert client.get(f"/payments/{theirs.reference}/documents/{document.pk}/").status_code == 404


def test_overview_offers_a_mandate_once_instalments_are_charged(
    client: Client, candidate: User, nord_fee: Application
) -> None:
    client.force_login(candidate)
    url = f"/en/payments/{nord_fee.reference}/"
    assert "Sign a direct-debit mandate" not in client.get(url).content.decode()
    services.charge_tuition(nord_fee, by=None, registered_on=dt.date(2024, 7, 1))
    page = client.get(url).content.decode()
    assert "Sign a direct-debit mandate" in page
    assert page.count("Pay by bank transfer") == 5  # fee, three instalments, CVEC
    mandates.sign_mandate(
        nord_fee, holder="Camille Martin", iban="FR1420041010050500013M02606", by=candidate
    )
    page = client.get(url).content.decode()
    assert page.count("Collected by direct debit") == 3
    assert "FR14 •••• 2606" in page
