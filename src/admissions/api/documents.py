"""/api/v1/documents: the supporting documents of a file, for its candidate and its staff.

Uploads are multipart (`file`, and `valid_until`, `foreign_language` where they apply). Who
sends an upload is judged before its body is read: an anonymous sender gets 401, someone
who may not see the file 404, someone who may see it but not change this document 403 or
409. Then the size limit of the document is enforced while the body arrives: a request
announcing more is answered 413 before it is read, a body that turns out larger is cut off,
and a form that cannot be read (a file name of a thousand characters) is a 400. A file
refused on arrival answers 422 with the reason's code and message; nothing of it is kept.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from functools import partial, wraps
from typing import IO, Any, cast

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from admissions.api.auth import user_auth
from admissions.api.errors import error_body
from admissions.api.router import reverse_in_area
from admissions.api.schemas import ErrorOut, Input
from admissions.api.uploads import file_too_large, read_within
from admissions.applications.models import Application
from admissions.core.errors import DomainError
from admissions.documents import access, services
from admissions.documents.errors import UnknownRequirementError
from admissions.documents.models import Document, DocumentVersion
from admissions.documents.serving import serve_version
from admissions.documents.status import application_checklist, checklist_with_states
from admissions.people.models import User

router = Router(tags=["documents"], auth=user_auth)
# This router's place in the API's areas, for its own links (router.reverse_in_area).
ROUTER = f"{__name__}.router"

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
# The request's attribute holding the file `size_limited` judged before reading the body.
JUDGED_APPLICATION = "judged_application"


class VersionOut(Schema):
    id: uuid.UUID
    number: int
    filename: str
    size: int
    sha256: str
    type: str
    pages: int | None
    width: int | None
    height: int | None
    scan_status: str
    created_at: dt.datetime
    download_url: str | None


class RefusalOut(Schema):
    code: str
    message: str


class DocumentOut(Schema):
    requirement: str
    translation: bool
    state: str
    state_label: str
    refusal: RefusalOut | None
    staff_reason: str
    valid_until: dt.date | None
    foreign_language: bool
    current_version: VersionOut | None


class ChecklistEntryOut(Schema):
    requirement: str
    label: str
    satisfied: bool
    document: DocumentOut | None
    translation: DocumentOut | None


class UploadOut(Schema):
    accepted: bool
    deferred: bool
    message: str
    document: DocumentOut


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _language(request: HttpRequest) -> str:
    return "en" if (getattr(request, "LANGUAGE_CODE", "fr") or "fr").startswith("en") else "fr"


def version_out(version: DocumentVersion | None) -> VersionOut | None:
    if version is None:
        return None
    return VersionOut(
        id=version.public_id,
        number=version.number,
        filename=version.original_filename,
        size=version.size,
        sha256=version.sha256,
        type=version.detected_type,
        pages=version.page_count,
        width=version.width,
        height=version.height,
        scan_status=version.scan_status,
        created_at=version.created_at,
        download_url=reverse_in_area(ROUTER, "document_file", [version.public_id])
        if version.servable
        else None,
    )


def document_out(document: Document | None) -> DocumentOut | None:
    if document is None:
        return None
    refusal = (
        RefusalOut(code=document.refusal_code, message=document.refusal_message)
        if document.refusal_code
        else None
    )
    return DocumentOut(
        requirement=document.requirement_code,
        translation=document.is_translation,
        state=document.state,
        state_label=str(document.state_enum.label),
        refusal=refusal,
        staff_reason=document.staff_reason,
        valid_until=document.valid_until,
        foreign_language=document.foreign_language,
        current_version=version_out(document.current_version),
    )


# Who sends it and how much, judged before anything reads the body -----------------------


def _refusal(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


def _judge_sender(
    request: HttpRequest, reference: str, code: str, *, translation: bool
) -> HttpResponse | tuple[Application, int]:
    """A refusal, or the file and the size limit of the upload, from the request's line and
    headers only.

    The body of a request that may not upload here is never read: not by this check, nor by
    the CSRF check that comes after it.
    """
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return _refusal(401, "not_authenticated", _("Please sign in."))
    try:
        application = access.readable_application(user, reference)
        requirement = services.requirement_for(application, code)
        services.check_may_upload(
            user,
            application,
            requirement,
            services.find_document(application, code, translation=translation),
        )
    except Http404:
        return _refusal(404, "not_found", _("Not found."))
    except DomainError as error:
        return _refusal(error.http_status, error.code, str(error.message), error.details)
    return application, requirement.max_bytes


def size_limited(*, translation: bool) -> Callable[[View], View]:
    """Wrap an upload operation so that the body is read only once the sender may upload,
    and only up to the size limit of the document."""

    def decorate(run: View) -> View:
        @wraps(run)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            judged = _judge_sender(
                request,
                str(kwargs.get("reference", "")),
                str(kwargs.get("code", "")),
                translation=translation,
            )
            if isinstance(judged, HttpResponse):
                return judged
            application, limit = judged
            refused = read_within(request, limit, partial(file_too_large, limit))
            if refused is not None:
                return refused
            # The operation takes the file read here: the upload checks it again, locked.
            setattr(request, JUDGED_APPLICATION, application)
            return run(request, *args, **kwargs)

        return wrapped

    return decorate


# Endpoints ------------------------------------------------------------------------------


@router.get(
    "/files/{public_id}",
    response={200: None, **ERRORS},
    url_name="document_file",
    summary="Download one version of a document (as an attachment)",
)
def download(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    return serve_version(request, public_id)


@router.get(
    "/{reference}",
    response={200: list[ChecklistEntryOut], **ERRORS},
    summary="The checklist of a file, with each document's state",
)
def list_documents(request: HttpRequest, reference: str) -> list[ChecklistEntryOut]:
    application = access.readable_application(_user(request), reference)
    language = _language(request)
    rows = checklist_with_states(application, application_checklist(application))
    return [
        ChecklistEntryOut(
            requirement=row.code,
            label=row.item.label.get(language),
            satisfied=row.satisfied,
            document=document_out(row.document),
            translation=document_out(row.translation),
        )
        for row in rows
    ]


def _upload(
    request: HttpRequest,
    reference: str,
    code: str,
    file: UploadedFile,
    *,
    translation: bool,
    valid_until: dt.date | None = None,
    foreign_language: bool | None = None,
) -> Status[Any]:
    application = getattr(request, JUDGED_APPLICATION, None)
    judged = application is not None and application.reference == reference
    if application is None or not judged:
        application = access.readable_application(_user(request), reference)
    try:
        services.requirement_for(application, code)
    except UnknownRequirementError:
        raise Http404 from None
    result = services.upload_document(
        application=application,
        requirement_code=code,
        stream=cast(IO[bytes], file.file),
        filename=file.name or "",
        by=_user(request),
        translation=translation,
        valid_until=valid_until,
        foreign_language=foreign_language,
        judged=judged,
    )
    if result.refusal is not None:
        return Status(
            422,
            error_body(
                result.refusal.code.value,
                result.refusal.message,
                {"reason": result.refusal.code.value, "params": result.refusal.params},
            ),
        )
    return Status(
        201,
        UploadOut(
            accepted=result.accepted,
            deferred=result.deferred,
            message=result.message,
            document=document_out(result.document),  # type: ignore[arg-type]
        ),
    )


@router.post(
    "/{reference}/{code}",
    response={201: UploadOut, **ERRORS},
    summary="Upload a document (multipart)",
)
@decorate_view(size_limited(translation=False))
def upload_document(
    request: HttpRequest,
    reference: str,
    code: str,
    file: File[UploadedFile],
    valid_until: Form[dt.date | None] = None,
    foreign_language: Form[bool | None] = None,
) -> Status[Any]:
    return _upload(
        request,
        reference,
        code,
        file,
        translation=False,
        valid_until=valid_until,
        foreign_language=foreign_language,
    )


@router.post(
    "/{reference}/{code}/translation",
    response={201: UploadOut, **ERRORS},
    summary="Upload the translation of a document (multipart)",
)
@decorate_view(size_limited(translation=True))
def upload_translation(
    request: HttpRequest, reference: str, code: str, file: File[UploadedFile]
) -> Status[Any]:
    return _upload(request, reference, code, file, translation=True)


@router.delete(
    "/{reference}/{code}",
    response={204: None, **ERRORS},
    summary="Delete a document and its versions (before the file is sent)",
)
def delete_document(request: HttpRequest, reference: str, code: str) -> Status[None]:
    application = access.readable_application(_user(request), reference)
    document = services.find_document(application, code)
    if document is None:
        raise Http404
    services.delete_document(document, by=_user(request))
    return Status(204, None)


class LanguageIn(Input):
    foreign_language: bool = Field(
        description="written in a foreign language: a translation is then asked for"
    )


@router.put(
    "/{reference}/{code}/language",
    response={200: DocumentOut, **ERRORS},
    summary="Say whether a document is in a foreign language (which asks for its translation)",
)
def document_language(
    request: HttpRequest, reference: str, code: str, payload: LanguageIn
) -> DocumentOut:
    application = access.readable_application(_user(request), reference)
    document = services.find_document(application, code)
    if document is None:
        raise Http404
    changed = services.set_foreign_language(
        document, foreign=payload.foreign_language, by=_user(request)
    )
    return cast(DocumentOut, document_out(changed))
