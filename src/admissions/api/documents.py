"""/api/v1/documents: the supporting documents of a file, for its candidate and its staff.

Uploads are multipart (`file`, and `valid_until`, `foreign_language` where they apply). The
size limit of the document is enforced while the body arrives: a request announcing more is
answered 413 before it is read, and a body that turns out larger is cut off. A file refused
on arrival answers 422 with the reason's code and message; nothing of it is kept.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import IO, Any, cast

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.security import django_auth

from admissions.api.errors import error_body
from admissions.api.schemas import ErrorOut
from admissions.applications.models import Application
from admissions.catalog.models import without_rulebooks
from admissions.documents import access, services
from admissions.documents.errors import UnknownRequirementError
from admissions.documents.models import Document, DocumentVersion
from admissions.documents.refusals import Refusal, RefusalCode
from admissions.documents.serving import serve_version
from admissions.documents.status import application_checklist, checklist_with_states
from admissions.documents.uploadlimit import declared_too_large, import_max_bytes, limit_upload
from admissions.people.models import User

router = Router(tags=["documents"], auth=django_auth)

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}


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
        download_url=reverse("api:document_file", args=[version.public_id])
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


# The size limit, in place before anything reads the body --------------------------------


def _limit_for(request: HttpRequest, reference: str, code: str) -> int:
    application = (
        Application.objects.select_related("campaign")
        .defer(*without_rulebooks("campaign"))
        .filter(reference=reference)
    )
    found = application.first()
    if found is not None:
        try:
            return services.requirement_for(found, code).max_bytes
        except UnknownRequirementError:
            pass
    return import_max_bytes()


def size_limited(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an upload operation so that an over-size body is refused as it arrives."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit = _limit_for(request, str(kwargs.get("reference", "")), str(kwargs.get("code", "")))
        too_large = JsonResponse(
            error_body(
                RefusalCode.TOO_LARGE.value,
                Refusal(RefusalCode.TOO_LARGE, limit=limit).message,
                {"limit": limit},
            ),
            status=413,
        )
        if declared_too_large(request, limit):
            return too_large
        handler = limit_upload(request, limit)
        request.FILES  # noqa: B018 - parse now, with the limit in place
        if handler.exceeded:
            return too_large
        return run(request, *args, **kwargs)

    return wrapped


# Endpoints ------------------------------------------------------------------------------


@router.get(
    "/files/{public_id}",
    response={200: None, **ERRORS},
    url_name="document_file",
    summary="Download one version of a document (as an attachment)",
)
def download(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    return serve_version(_user(request), public_id)


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
    )
    result.document.refresh_from_db()
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
@decorate_view(size_limited)
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
@decorate_view(size_limited)
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
