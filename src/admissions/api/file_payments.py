"""/api/v1/applications/{reference}/payments/...: what the candidate's payment page does.

Ask for the invoice of a charge (for an employer or a funder), start a card payment of what
is owed on a line, sign a SEPA direct-debit mandate. Each calls the service the page calls
(payments.receipts, payments.checkout, payments.mandates); another person's file, or a line
nothing is charged on, is 404. A line is named as on the page: the charge kind, and the
instalment's number or 0.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from admissions.api.auth import caller, user_auth
from admissions.api.schemas import ErrorOut, Input
from admissions.applications import queries
from admissions.core.errors import ValidationFailed
from admissions.payments import checkout, ledger, mandates, receipts
from admissions.payments.models import FinanceDocument, Mandate

router = Router(tags=["payments"], auth=user_auth)
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    502: ErrorOut,
}
LINE = "/{reference}/payments/{charge}/{instalment}"


class FinanceDocumentOut(Schema):
    id: int
    kind: str
    number: str = Field(description="the number printed on the document, e.g. F-000001")
    amount_cents: int
    issued_at: dt.datetime
    pdf_url: str = Field(description="the PDF, in the reader's language (?lang=fr or en)")


class CardCheckoutOut(Schema):
    session_id: str
    provider: str
    amount_cents: int
    checkout_url: str = Field(description="where to send the payer to enter the card")
    return_url: str = Field(description="where the provider sends the payer back")


class MandateIn(Input):
    holder: str = Field(max_length=70, description="the account holder's name")
    iban: str = Field(max_length=42, description="spaces are allowed")
    bic: str = Field(default="", max_length=14, description="found from the IBAN when empty")
    consent: bool = Field(description="the payer authorises the debits: must be true")


class MandateOut(Schema):
    reference: str = Field(description="the mandate's unique reference (UMR)")
    holder: str
    iban: str = Field(description="masked: only the country and the last four digits")
    bic: str
    signed_on: dt.date
    status: str


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _charged(application_id: int, charge: str, instalment: int) -> ledger.ChargeLine:
    line = ledger.charged_line(application_id, charge, instalment or None)
    if line is None:
        raise Http404("No such charge")
    return line


def document_out(request: HttpRequest, document: FinanceDocument) -> FinanceDocumentOut:
    url = reverse("payments:document", args=[document.application.reference, document.pk])
    return FinanceDocumentOut(
        id=document.pk,
        kind=document.kind,
        number=document.display_number,
        amount_cents=document.amount_cents,
        issued_at=document.issued_at,
        pdf_url=request.build_absolute_uri(url),
    )


@router.post(
    f"{LINE}/invoice",
    response={200: FinanceDocumentOut, **ERRORS},
    summary="The invoice of a charge, issued on first asking",
)
def request_invoice(
    request: HttpRequest, reference: str, charge: str, instalment: int
) -> FinanceDocumentOut:
    user = caller(request)
    application = queries.own_application(user, reference)
    document = receipts.invoice_of_line(
        application, charge_kind=charge, instalment=instalment or None, by=user
    )
    if document is None:
        raise Http404("No such charge")
    return document_out(request, document)


@router.post(
    f"{LINE}/card",
    response={200: CardCheckoutOut, **ERRORS},
    summary="Start a card payment of what is owed on a charge",
    description=(
        "Opens a checkout with the card provider for what is still owed on the line; send "
        "the payer to `checkout_url`. The payment is recorded when the provider confirms it. "
        "A charge the rulebook does not let candidates pay by card, or one paid already, "
        "answers 409; a provider that cannot be reached, 502."
    ),
)
def start_card_payment(
    request: HttpRequest, reference: str, charge: str, instalment: int
) -> CardCheckoutOut:
    user = caller(request)
    application = queries.own_application(user, reference)
    line = _charged(application.pk, charge, instalment)
    done = reverse("payments:card_done", args=[application.reference, line.charge_kind, instalment])
    attempt, target = checkout.start_card_checkout(
        application,
        charge_kind=line.charge_kind,
        instalment=line.instalment,
        by=user,
        success_url=request.build_absolute_uri(done),
        cancel_url=request.build_absolute_uri(
            reverse("payments:overview", args=[application.reference])
        ),
        language=_language(),
    )
    return CardCheckoutOut(
        session_id=attempt.session_id,
        provider=attempt.provider,
        amount_cents=attempt.amount_cents,
        checkout_url=request.build_absolute_uri(target),
        return_url=request.build_absolute_uri(done),
    )


def mandate_out(mandate: Mandate) -> MandateOut:
    return MandateOut(
        reference=mandate.reference,
        holder=mandate.holder,
        iban=mandate.masked_iban,
        bic=mandate.bic,
        signed_on=mandate.signed_on,
        status=mandate.status,
    )


@router.post(
    "/{reference}/payments/mandate",
    response={201: MandateOut, **ERRORS},
    summary="Sign a SEPA direct-debit mandate for the file's instalments",
    description=(
        "Replaces the file's active mandate, which is revoked. A wrong IBAN or BIC answers "
        "422 `invalid_bank_details` naming the field; `consent` must be true."
    ),
)
def sign_mandate(request: HttpRequest, reference: str, payload: MandateIn) -> Status[Any]:
    user = caller(request)
    application = queries.own_application(user, reference)
    if not payload.consent:
        raise ValidationFailed(
            _("Authorise the debits to sign the mandate."),
            code="consent_required",
            details=[{"field": "consent", "message": "must be true"}],
        )
    mandate = mandates.sign_mandate(
        application, holder=payload.holder, iban=payload.iban, bic=payload.bic, by=user
    )
    return Status(201, mandate_out(mandate))
