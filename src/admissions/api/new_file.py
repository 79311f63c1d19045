"""POST /api/v1/staff/campaigns/{campaign_id}/programmes/{programme_id}/new-files.

The office opens a file for a candidate from a ZIP received by email, as the page "open a
file from an archive" does, through its service (workflow.newfile).

Admissions officers and administrators of the programme only: anyone else, and a programme
or campaign outside their scope, gets 404. The sender is judged and the size limit put in
place before the body is read (401, 404, then 413). A refused archive creates nothing:
422 `import_refused` with each problem in `details.problems`; the services' refusals (a
closed campaign, a choice the rulebook does not offer, a file the candidate already has, a
staff address) keep their codes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import IO, Any, Literal, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from admissions.api.auth import caller, user_auth
from admissions.api.document_import import ImportedOut, problems_error
from admissions.api.documents import version_out
from admissions.api.errors import error_body
from admissions.api.schemas import ErrorOut
from admissions.api.uploads import file_too_large, read_within
from admissions.catalog.models import Campaign, Programme
from admissions.core.errors import ValidationFailed
from admissions.documents.access import DOCUMENT_OFFICERS
from admissions.documents.uploadlimit import (
    import_max_bytes,
)
from admissions.people.models import User
from admissions.people.permissions import allowed_programme_ids
from admissions.workflow.newfile import Candidate, create_file_from_zip

router = Router(tags=["staff"], auth=user_auth)
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


class NewFileOut(Schema):
    reference: str
    account_created: bool
    imported: list[ImportedOut]
    ignored: list[str]


def _scope(user: User, campaign_id: Any, programme_id: Any) -> tuple[Campaign, Programme] | None:
    """The campaign and the programme named, if the user opens files for that programme."""
    try:
        campaign_pk, programme_pk = int(campaign_id), int(programme_id)
    except (TypeError, ValueError):
        return None
    programme = Programme.objects.filter(
        pk=programme_pk, pk__in=allowed_programme_ids(user, DOCUMENT_OFFICERS)
    ).first()
    if programme is None:
        return None
    campaign = Campaign.objects.filter(
        pk=campaign_pk, institution_id=programme.institution_id
    ).first()
    return None if campaign is None else (campaign, programme)


def _refusal(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


def _judged(run: View) -> View:
    """Read the body only once the sender may open files, and only up to the limit."""

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return _refusal(401, "not_authenticated", _("Please sign in."))
        if _scope(user, kwargs.get("campaign_id"), kwargs.get("programme_id")) is None:
            return _refusal(404, "not_found", _("Not found."))
        limit = import_max_bytes()
        refused = read_within(request, limit, partial(file_too_large, limit))
        return refused if refused is not None else run(request, *args, **kwargs)

    return wrapped


def _checked_email(email: str) -> str:
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(
            _("Enter a valid email address."),
            details=[{"field": "email", "message": "not an email address"}],
        ) from None
    return email


@router.post(
    "/campaigns/{campaign_id}/programmes/{programme_id}/new-files",
    response={201: NewFileOut, **ERRORS},
    summary="Open a file for a candidate from a ZIP archive (multipart)",
)
@decorate_view(_judged)
def open_file_from_archive(
    request: HttpRequest,
    campaign_id: int,
    programme_id: int,
    track: Form[str],
    financing_mode: Form[str],
    email: Form[str],
    given_names: Form[str],
    family_name: Form[str],
    archive: File[UploadedFile],
    language: Form[Literal["fr", "en"]] = "fr",
) -> Status[Any]:
    user = caller(request)
    scope = _scope(user, campaign_id, programme_id)
    if scope is None:
        raise Http404("No such programme")
    campaign, programme = scope
    names = {"given_names": given_names.strip(), "family_name": family_name.strip()}
    for field, value in names.items():
        if not value or len(value) > 150:
            raise ValidationFailed(
                _("Give the candidate's names (150 characters at most)."),
                details=[{"field": field, "message": "required, 150 characters at most"}],
            )
    created = create_file_from_zip(
        by=user,
        campaign=campaign,
        programme=programme,
        track=track,
        financing_mode=financing_mode,
        candidate=Candidate(
            email=_checked_email(email.strip()),
            given_names=names["given_names"],
            family_name=names["family_name"],
            language=language,
        ),
        archive=cast(IO[bytes], archive.file),
    )
    if created.application is None:
        return problems_error(created.report)
    return Status(
        201,
        NewFileOut(
            reference=created.application.reference,
            account_created=created.account_created,
            imported=[
                ImportedOut(
                    entry=entry,
                    requirement=version.document.requirement_code,
                    translation=version.document.is_translation,
                    version=version_out(version),  # type: ignore[arg-type]
                )
                for entry, version in created.report.imported
            ],
            ignored=list(created.report.ignored),
        ),
    )
