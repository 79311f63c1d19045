"""POST /api/v1/applications/{reference}/documents/import: every document of a file in one ZIP.

The import page's action, through its service (documents.zipimport): the candidate of a
draft whose rulebook asks for one archive, or the office managing the file's documents while
it is open; anyone else gets the 404 of a file that does not exist. As for any upload, the
sender is judged and the size limit put in place before the body is read (401, 404, then
413). An archive with any problem imports nothing: 422 `import_refused`, each problem in
`details.problems` with the name inside the archive and its code.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import IO, Any, cast

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from admissions.api.auth import caller, user_auth
from admissions.api.documents import VersionOut, version_out
from admissions.api.errors import error_body
from admissions.api.schemas import ErrorOut
from admissions.api.uploads import file_too_large, read_within
from admissions.documents import access
from admissions.documents.uploadlimit import (
    import_max_bytes,
)
from admissions.documents.zipimport import ImportReport, import_zip, may_import
from admissions.people.models import User

router = Router(tags=["documents"], auth=user_auth)
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}
View = Callable[..., HttpResponse]


class ImportedOut(Schema):
    entry: str
    requirement: str
    translation: bool
    version: VersionOut


class DocumentImportOut(Schema):
    imported: list[ImportedOut]
    ignored: list[str]


def _refusal(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


def _judged(run: View) -> View:
    """Read the body only once the sender may import here, and only up to the limit."""

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return _refusal(401, "not_authenticated", _("Please sign in."))
        try:
            application = access.readable_application(user, str(kwargs.get("reference", "")))
        except Http404:
            application = None
        if application is None or not may_import(user, application):
            return _refusal(404, "not_found", _("Not found."))
        limit = import_max_bytes()
        refused = read_within(request, limit, partial(file_too_large, limit))
        return refused if refused is not None else run(request, *args, **kwargs)

    return wrapped


def problems_error(report: ImportReport) -> Status[Any]:
    return Status(
        422,
        error_body(
            "import_refused",
            _("Nothing was imported: correct the archive and send it again."),
            {
                "problems": [
                    {"entry": problem.entry, "code": problem.code, "message": problem.message}
                    for problem in report.problems
                ]
            },
        ),
    )


@router.post(
    "/{reference}/documents/import",
    response={201: DocumentImportOut, **ERRORS},
    summary="Import every document of a file from one ZIP archive (multipart `archive`)",
)
@decorate_view(_judged)
def import_documents(
    request: HttpRequest, reference: str, archive: File[UploadedFile]
) -> Status[Any]:
    user = caller(request)
    application = access.readable_application(user, reference)
    if not may_import(user, application):
        raise Http404("No such application")
    report = import_zip(application, cast(IO[bytes], archive.file), by=user)
    if not report.ok:
        return problems_error(report)
    return Status(
        201,
        DocumentImportOut(
            imported=[
                ImportedOut(
                    entry=entry,
                    requirement=version.document.requirement_code,
                    translation=version.document.is_translation,
                    version=version_out(version),  # type: ignore[arg-type]
                )
                for entry, version in report.imported
            ],
            ignored=list(report.ignored),
        ),
    )
