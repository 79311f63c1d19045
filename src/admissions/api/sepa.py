"""/api/v1/staff/finance: the direct debits of an institution, as on its SEPA page.

Finance officers of the whole institution (and platform administrators) set its SEPA
creditor identifier, write the pain.008 file of a collection date and record a debit the
bank returned, through the page's services; any other institution or debit (or one outside
the institution a token is tied to) answers 404. The services' refusals keep their codes:
`invalid_bank_details`, `collection_date_past`, `creditor_missing`, `nothing_to_pay`,
`reason_required`, `already_rejected`.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from admissions.api.auth import token_institution, user_auth
from admissions.api.finance import finance_caller
from admissions.api.schemas import ErrorOut, Input
from admissions.catalog.models import Institution
from admissions.payments import access, sepa
from admissions.payments.models import DebitItem
from admissions.people.models import User

router = Router(tags=["finance"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _institution(request: HttpRequest, institution_id: int) -> tuple[User, Institution]:
    user = finance_caller(request)
    found = access.finance_institutions(user).filter(pk=institution_id)
    bound = token_institution(request)
    if bound is not None:
        found = found.filter(pk=bound)
    institution = found.first()
    if institution is None:
        raise Http404
    return user, institution


class CreditorIn(Input):
    creditor_id: str = Field(
        min_length=1,
        max_length=40,
        description="the SEPA creditor identifier (ICS), e.g. FR72ZZZ123456",
    )


class CreditorOut(Schema):
    institution_id: int
    creditor_id: str


@router.put(
    "/finance/institutions/{institution_id}/sepa/creditor",
    response={200: CreditorOut, **ERRORS},
    summary="Set the institution's SEPA creditor identifier",
)
def set_creditor(request: HttpRequest, institution_id: int, payload: CreditorIn) -> CreditorOut:
    user, institution = _institution(request, institution_id)
    creditor = sepa.set_creditor_id(institution, payload.creditor_id, by=user)
    return CreditorOut(institution_id=institution.pk, creditor_id=creditor.creditor_id)


class ExportIn(Input):
    collection_date: dt.date = Field(description="the day the bank collects (after today)")


class BatchOut(Schema):
    id: int
    institution_id: int
    collection_date: dt.date
    message_id: str
    transactions: int
    total_cents: int
    created_at: dt.datetime
    document: str = Field(description="the pain.008 XML file to hand to the bank")


@router.post(
    "/finance/institutions/{institution_id}/sepa/batches",
    response={201: BatchOut, **ERRORS},
    summary="Write the direct-debit file (pain.008) of the instalments due on a date",
)
def export_debits(request: HttpRequest, institution_id: int, payload: ExportIn) -> Status[BatchOut]:
    user, institution = _institution(request, institution_id)
    batch = sepa.export_batch(institution, payload.collection_date, by=user)
    return Status(
        201,
        BatchOut(
            id=batch.pk,
            institution_id=batch.institution_id,
            collection_date=batch.collection_date,
            message_id=batch.message_id,
            transactions=batch.transactions,
            total_cents=batch.total_cents,
            created_at=batch.created_at,
            document=batch.document,
        ),
    )


class RejectIn(Input):
    reason: str = Field(
        min_length=1,
        max_length=140,
        description="the bank's return code and its words, e.g. AM04 insufficient funds",
    )


class DebitOut(Schema):
    id: int
    reference: str
    charge_kind: str
    instalment: int | None
    amount_cents: int
    status: str
    rejection_reason: str
    rejected_at: dt.datetime | None


@router.post(
    "/finance/debits/{debit_id}/reject",
    response={200: DebitOut, **ERRORS},
    summary="Record a direct debit the bank returned: the instalment is owed again",
)
def reject_debit(request: HttpRequest, debit_id: int, payload: RejectIn) -> DebitOut:
    user = finance_caller(request)
    found: QuerySet[DebitItem] = access.debit_items(user)
    bound = token_institution(request)
    if bound is not None:
        found = found.filter(batch__institution_id=bound)
    item = found.select_related("application").filter(pk=debit_id).first()
    if item is None:
        raise Http404
    rejected = sepa.reject_debit(item, reason=payload.reason, by=user)
    return DebitOut(
        id=rejected.pk,
        reference=item.application.reference,
        charge_kind=rejected.charge_kind,
        instalment=rejected.instalment,
        amount_cents=rejected.amount_cents,
        status=rejected.status,
        rejection_reason=rejected.rejection_reason,
        rejected_at=rejected.rejected_at,
    )
