"""/api/v1/me/data: the signed-in person's personal data, as on their privacy page.

The same services as the page (privacy.export, privacy.erasure): what an erasure would do
file by file, the download of everything kept about them (a ZIP), and the erasure itself,
which closes the account at once (its tokens with it) and answers what was erased and what
the law keeps until when. A staff account is closed by its institution's administrator
(403 `staff_account`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.contrib.auth import logout
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.utils import timezone
from ninja import Field, Router, Schema

from admissions.api.auth import caller, user_auth
from admissions.api.schemas import ErrorOut, Input
from admissions.documents.serving import attachment
from admissions.privacy.erasure import Kept, plan, request_erasure
from admissions.privacy.export import export_file, export_filename
from admissions.rules.deadlines import paris_date

router = Router(tags=["privacy"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ErasurePlanOut(Schema):
    reference: str
    erase_now: bool
    kept_until: dt.date | None = Field(description="personal data kept until (none: no period)")
    has_accounting: bool
    accounting_until: dt.date | None


class MyDataOut(Schema):
    staff_account: bool = Field(description="closed by the institution's administrator only")
    files: list[ErasurePlanOut] = Field(description="what an erasure would do to each file")


class ErasureIn(Input):
    understood: Literal[True] = Field(
        description="that the account will be closed and that this cannot be undone"
    )


class KeptOut(Schema):
    reference: str
    until: dt.date | None
    admitted: bool


class ErasureOut(Schema):
    erased: list[str] = Field(description="the files erased at once")
    kept: list[KeptOut] = Field(description="the files whose personal data the law keeps")
    accounting: list[KeptOut] = Field(description="the accounting records kept, per file")
    account_erased: bool


def _kept(row: Kept) -> KeptOut:
    return KeptOut(reference=row.reference, until=row.until, admitted=row.admitted)


@router.get("", response={200: MyDataOut, **ERRORS}, summary="What an erasure would do")
def my_data(request: HttpRequest) -> MyDataOut:
    user = caller(request)
    decisions = plan(user, today=paris_date(timezone.now()))
    return MyDataOut(
        staff_account=user.holds_staff_role or user.is_superuser,
        files=[
            ErasurePlanOut(
                reference=d.application.reference,
                erase_now=d.erase_now,
                kept_until=d.kept_until,
                has_accounting=d.has_accounting,
                accounting_until=d.accounting_until,
            )
            for d in decisions
        ],
    )


@router.get(
    "/export.zip",
    response={200: None, **ERRORS},
    summary="Download my personal data (a ZIP: the data as JSON, with the files)",
)
def export(request: HttpRequest) -> HttpResponseBase:
    user = caller(request)
    response = FileResponse(
        export_file(user),
        as_attachment=True,
        filename=export_filename(user),
        content_type="application/zip",
    )
    return attachment(response)


@router.post(
    "/erasure",
    response={200: ErasureOut, **ERRORS},
    summary="Erase my personal data and close my account",
)
def erase(request: HttpRequest, payload: ErasureIn) -> ErasureOut:
    user = caller(request)
    outcome = request_erasure(user)
    if getattr(request, "api_token", None) is None:
        logout(request)
    return ErasureOut(
        erased=outcome.erased,
        kept=[_kept(k) for k in outcome.kept],
        accounting=[_kept(k) for k in outcome.accounting],
        account_erased=outcome.account_erased,
    )
