"""/api/v1/staff/outbox: sending an email of a file again, as the outbox page does.

The outbox page's scope (notify.access.visible_to): the emails of the files of the caller's
programmes (every email for the platform's administrators), and of the institution a token
is tied to; any other answers 404. The service decides who may send again (403 otherwise).
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Answer

from admissions.api.auth import caller, token_institution, user_auth
from admissions.api.schemas import ErrorOut
from admissions.notify import access, outbox
from admissions.notify.models import Notification

router = Router(tags=["staff"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class OutboxEmailOut(Schema):
    id: int
    kind: str
    reference: str | None = Field(description="the file the email is about")
    to_address: str
    subject: str
    status: str
    created_at: dt.datetime
    resend_of: int | None = Field(description="the email this one sends again")


@router.post(
    "/outbox/{email_id}/resend",
    response={201: OutboxEmailOut, **ERRORS},
    summary="Send an email of a file again, to the recipient's current address",
)
def resend(request: HttpRequest, email_id: int) -> Answer[OutboxEmailOut]:
    user = caller(request)
    emails = access.visible_to(user).filter(pk=email_id)
    bound = token_institution(request)
    if bound is not None:
        emails = emails.filter(application__programme__institution_id=bound)
    email: Notification | None = emails.first()
    if email is None:
        raise Http404
    copy = outbox.resend(email, by=user)
    return Answer(
        201,
        OutboxEmailOut(
            id=copy.pk,
            kind=copy.kind,
            reference=copy.application.reference if copy.application else None,
            to_address=copy.to_address,
            subject=copy.subject,
            status=copy.status,
            created_at=copy.created_at,
            resend_of=copy.resend_of_id,
        ),
    )
