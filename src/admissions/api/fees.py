"""/api/v1/staff/files/{reference}/fee-paid: an application fee paid outside the platform.

The same service as the form of the file's page (workflow.fees): staff of the file's
programme may ask, the service decides whether their role records payments (403
`not_allowed` otherwise); anyone else gets the 404 of a file that does not exist.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from admissions.api.auth import caller, user_auth
from admissions.api.schemas import ErrorOut, Input
from admissions.api.staff import staff_application
from admissions.payments import ledger
from admissions.workflow import fees

router = Router(tags=["staff"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class FeePaidIn(Input):
    note: str = Field(default="", max_length=500, description="how and when it was paid")


class FeePaidOut(Schema):
    reference: str
    recorded: bool = Field(description="false: the fee was already settled, nothing recorded")
    fee_status: str


@router.post(
    "/files/{reference}/fee-paid",
    response={200: FeePaidOut, **ERRORS},
    summary="Record the application fee as paid outside the platform",
)
def mark_fee_paid(request: HttpRequest, reference: str, payload: FeePaidIn) -> FeePaidOut:
    application = staff_application(request, reference)
    recorded = fees.mark_fee_paid(application, by=caller(request), note=payload.note)
    return FeePaidOut(
        reference=application.reference,
        recorded=recorded,
        fee_status=str(ledger.fee_status(application.pk)),
    )
