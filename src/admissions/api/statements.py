"""/api/v1/staff/finance/institutions/{institution_id}/statements: a bank statement imported.

As on the statements page: a finance officer of the whole institution (or a platform
administrator) uploads its bank's camt.053 file (multipart, `file`), and the same service
matches each transfer to its charge. Who sends it is judged before the body is read: an
anonymous sender gets 401, anyone outside the page's scope (or the institution a token is
tied to) 404. Then the size is checked before a byte of the body is read (a larger declared
length: 413) and while it arrives (cut off past the limit, 413). A file the service cannot
read, or for another account, answers 422 with its code (`statement_refused`, `not_xml`,
`wrong_account`...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from admissions.api.auth import caller, token_institution, user_auth
from admissions.api.errors import error_body
from admissions.api.schemas import ErrorOut
from admissions.api.uploads import read_within
from admissions.catalog.models import Institution
from admissions.payments import access
from admissions.payments.camt053 import MAX_BYTES
from admissions.payments.models import BankStatement
from admissions.payments.reconcile import import_statement
from admissions.people.models import User

router = Router(tags=["finance"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut}
View = Callable[..., HttpResponse]


def _refusal(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


def statement_institution(user: User, institution_id: object, bound: int | None) -> Institution:
    """The institution whose statements `user` imports, or Institution.DoesNotExist."""
    try:
        wanted = int(str(institution_id))
    except ValueError:
        raise Institution.DoesNotExist from None
    found = access.finance_institutions(user).filter(pk=wanted)
    if bound is not None:
        found = found.filter(pk=bound)
    return found.get()


def _judge_sender(request: HttpRequest, institution_id: object) -> HttpResponse | None:
    """A refusal from the request's line and headers only: the body of a request that may
    not import here is never read, not by this check nor by the CSRF check after it."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return _refusal(401, "not_authenticated", _("Please sign in."))
    if not access.is_finance_staff(user):
        return _refusal(404, "not_found", _("Not found."))
    try:
        statement_institution(user, institution_id, token_institution(request))
    except Institution.DoesNotExist:
        return _refusal(404, "not_found", _("Not found."))
    return None


def _statement_too_large() -> JsonResponse:
    return _refusal(
        413,
        "too_large",
        _("The file is too large for a bank statement."),
        {"limit": MAX_BYTES},
    )


def size_limited(run: View) -> View:
    """Read the body only once the sender may import, and only up to a statement's limit."""

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = _judge_sender(request, kwargs.get("institution_id"))
        if refused is not None:
            return refused
        refused = read_within(request, MAX_BYTES, _statement_too_large)
        return refused if refused is not None else run(request, *args, **kwargs)

    return wrapped


class StatementOut(Schema):
    id: int
    institution_id: int
    statement_id: str
    account_iban: str
    filename: str
    imported_at: dt.datetime
    report: dict[str, Any]


class StatementImportOut(Schema):
    imported: bool
    statement: StatementOut | None = None


@router.post(
    "/finance/institutions/{institution_id}/statements",
    response={200: StatementImportOut, 201: StatementImportOut, **ERRORS},
    summary="Import a camt.053 bank statement (multipart): match its transfers to charges",
    description="201 with the statement and its report; 200 with `imported: false` when every "
    "entry of the file was already imported (nothing changed).",
)
@decorate_view(size_limited)
def import_bank_statement(
    request: HttpRequest, institution_id: int, file: File[UploadedFile]
) -> Status[StatementImportOut]:
    user = caller(request)
    institution = statement_institution(user, institution_id, token_institution(request))
    record: BankStatement | None = import_statement(
        institution=institution, data=file.read(), filename=file.name or "", by=user
    )
    if record is None:
        return Status(200, StatementImportOut(imported=False))
    return Status(
        201,
        StatementImportOut(
            imported=True,
            statement=StatementOut(
                id=record.pk,
                institution_id=record.institution_id,
                statement_id=record.statement_id,
                account_iban=record.account_iban,
                filename=record.filename,
                imported_at=record.imported_at,
                report=record.report,
            ),
        ),
    )
