"""The payment page's actions through the API: invoice, card payment, direct-debit mandate."""

from __future__ import annotations

import pytest
from django.test import Client

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.payments import ledger
from admissions.payments.models import (
    CardCheckout,
    EntryKind,
    FinanceDocument,
    LedgerEntry,
    Mandate,
    MandateStatus,
)
from admissions.people.models import User
from admissions.rules.vocabulary import ChargeKind
from tests.payments.conftest import MakeApplication

FEE = ChargeKind.APPLICATION_FEE
IBAN = "FR1420041010050500013M02606"


@pytest.fixture
def card_fee(bs_campaign: Campaign, make_application: MakeApplication) -> Application:
    application = make_application(bs_campaign)
    ledger.charge(application.pk, charge_kind=FEE, amount_cents=8_000, by=None)
    return application


@pytest.fixture
def transfer_fee(nord_campaign: Campaign, make_application: MakeApplication) -> Application:
    application = make_application(nord_campaign)
    ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    return application


def _invoice(reference: str, line: str = "application_fee/0") -> str:
    return f"/api/v1/applications/{reference}/payments/{line}/invoice"


def _card(reference: str, line: str = "application_fee/0") -> str:
    return f"/api/v1/applications/{reference}/payments/{line}/card"


def _mandate(reference: str) -> str:
    return f"/api/v1/applications/{reference}/payments/mandate"


def _body(**changes: object) -> dict[str, object]:
    return {"holder": "Camille Martin", "iban": "FR14 2004 1010 0505 0001 3M02 606"} | {
        "consent": True,
        **changes,
    }


# The invoice ---------------------------------------------------------------------------


def test_an_invoice_is_issued_once_and_served_as_on_the_page(
    client: Client, candidate: User, transfer_fee: Application
) -> None:
    client.force_login(candidate)
    first = client.post(_invoice(transfer_fee.reference))
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["kind"], body["number"], body["amount_cents"]) == ("invoice", "F-000001", 6_000)
    assert client.post(_invoice(transfer_fee.reference)).json()["id"] == body["id"]
    assert FinanceDocument.objects.filter(kind="invoice").count() == 1
    assert client.get(body["pdf_url"]).content.startswith(b"%PDF")
    # The page finds the same invoice.
    page = client.post(f"/payments/{transfer_fee.reference}/invoice/application_fee/0/")
    assert page["Location"].endswith(f"/documents/{body['id']}/")


def test_no_invoice_for_a_line_nothing_is_charged_on(
    client: Client, candidate: User, transfer_fee: Application
) -> None:
    client.force_login(candidate)
    for line in ("tuition/1", "deposit/0", "nonsense/0"):
        answer = client.post(_invoice(transfer_fee.reference, line))
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    assert client.post(_invoice(transfer_fee.reference, "application_fee/x")).status_code == 422
    assert not FinanceDocument.objects.exists()


# The card payment ----------------------------------------------------------------------


def test_a_card_payment_started_through_the_api_is_paid_on_the_demo_page(
    client: Client, candidate: User, card_fee: Application
) -> None:
    client.force_login(candidate)
    answer = client.post(_card(card_fee.reference))
    assert answer.status_code == 200, answer.content
    body = answer.json()
    attempt = CardCheckout.objects.get()
    assert body["session_id"] == attempt.session_id
    assert (body["provider"], body["amount_cents"]) == ("demo", 8_000)
    assert body["checkout_url"] == f"http://testserver/payments/demo/{attempt.session_id}/"
    assert body["return_url"].endswith(
        f"/payments/{card_fee.reference}/card/application_fee/0/done/"
    )
    client.post(body["checkout_url"])
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1
    paid = client.post(_card(card_fee.reference))
    assert (paid.status_code, paid.json()["code"]) == (409, "nothing_to_pay")
    assert ApplicationEvent.objects.filter(
        application=card_fee, action="payment.checkout_started"
    ).exists()


def test_a_charge_the_rulebook_wants_by_transfer_is_refused(
    client: Client, candidate: User, transfer_fee: Application
) -> None:
    client.force_login(candidate)
    answer = client.post(_card(transfer_fee.reference), HTTP_ACCEPT_LANGUAGE="fr")
    assert (answer.status_code, answer.json()["code"]) == (409, "card_not_accepted")
    assert answer.json()["message"] == "Cette somme ne peut pas être payée par carte."
    missing = client.post(_card(transfer_fee.reference, "tuition/2"))
    assert missing.status_code == 404
    assert not CardCheckout.objects.exists()


# The mandate ---------------------------------------------------------------------------


def test_a_mandate_signed_through_the_api_replaces_the_previous_one(
    client: Client, candidate: User, transfer_fee: Application
) -> None:
    client.force_login(candidate)
    first = client.post(_mandate(transfer_fee.reference), _body(), content_type="application/json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["iban"] == "FR14 •••• 2606"
    assert (body["holder"], body["status"]) == ("Camille Martin", "active")
    second = client.post(
        _mandate(transfer_fee.reference), _body(holder="C. Martin"), content_type="application/json"
    )
    assert second.status_code == 201
    assert Mandate.objects.get(reference=body["reference"]).status == MandateStatus.REVOKED
    active = Mandate.objects.get(status=MandateStatus.ACTIVE)
    assert (active.holder, active.iban) == ("C. Martin", IBAN)


def test_a_mandate_with_wrong_details_is_refused_and_nothing_is_kept(
    client: Client, candidate: User, transfer_fee: Application
) -> None:
    client.force_login(candidate)
    url = _mandate(transfer_fee.reference)
    wrong = client.post(
        url,
        _body(iban="FR14 2004 1010 0505 0001 3M02 607"),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "invalid_bank_details")
    assert "This IBAN is not valid" in wrong.json()["message"]
    no_consent = client.post(
        url, _body(consent=False), content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert (no_consent.status_code, no_consent.json()["code"]) == (422, "consent_required")
    assert no_consent.json()["message"] == "Autorisez les prélèvements pour signer le mandat."
    assert no_consent.json()["details"] == [{"field": "consent", "message": "must be true"}]
    blank = client.post(url, _body(holder="  "), content_type="application/json")
    assert blank.json()["code"] == "invalid_bank_details"
    missing = client.post(url, {"holder": "Camille Martin"}, content_type="application/json")
    assert (missing.status_code, missing.json()["code"]) == (422, "validation_failed")
    extra = client.post(url, _body(amount=1), content_type="application/json")
    assert extra.status_code == 422
    assert not Mandate.objects.exists()


# Who may ------------------------------------------------------------------------------


def test_no_one_else_reaches_a_files_payments(
    client: Client,
    other_candidate: User,
    nord_finance: User,
    bs_finance: User,
    card_fee: Application,
) -> None:
    calls = [
        (_invoice(card_fee.reference), {}),
        (_card(card_fee.reference), {}),
        (_mandate(card_fee.reference), _body()),
    ]
    for url, body in calls:
        anonymous = client.post(url, body, content_type="application/json")
        assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    # Another candidate, staff of another school, even the file's own school's finance office:
    # these are the candidate's moves.
    for person in (other_candidate, nord_finance, bs_finance):
        client.force_login(person)
        for url, body in calls:
            answer = client.post(url, body, content_type="application/json")
            assert (answer.status_code, answer.json()["code"]) == (404, "not_found"), url
    assert not FinanceDocument.objects.exists()
    assert not CardCheckout.objects.exists()
    assert not Mandate.objects.exists()
