"""/api/v1/staff/institutions/{slug}/emails/{kind}/{language}: an institution's own wording
of one of its emails, as on the back office's page: read, saved, reset, previewed.

The page's scope (notify.overrides): the institution's administrators and the platform's,
404 for anyone else, as on the page (and for an institution other than a token's own); a
text naming a placeholder its email does not offer is refused with its reasons by field.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from admissions.api.auth import caller, user_auth, within_token_scope
from admissions.api.schemas import ErrorOut, Input
from admissions.catalog.models import Institution
from admissions.core.errors import ValidationFailed
from admissions.notify import overrides
from admissions.notify.context import LANGUAGES
from admissions.notify.kinds import PLACEHOLDERS, Kind

router = Router(tags=["emails"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
PATH = "/institutions/{slug}/emails/{kind}/{language}"


class PlaceholderOut(Schema):
    name: str = Field(description="written {name} in the subject or the text")
    label: str


class EmailTemplateOut(Schema):
    institution: str
    kind: str
    language: str
    overridden: bool = Field(description="false: the platform's own wording is sent")
    subject: str = Field(description="the institution's subject; empty when not overridden")
    body: str = Field(description="the institution's text; empty when not overridden")
    placeholders: list[PlaceholderOut]


class WordingIn(Input):
    subject: str = Field(max_length=overrides.MAX_SUBJECT * 2)
    body: str = Field(max_length=overrides.MAX_BODY * 2)


class PreviewIn(Input):
    subject: str = Field(
        "", max_length=overrides.MAX_SUBJECT * 2, description="empty with body: the platform's"
    )
    body: str = Field("", max_length=overrides.MAX_BODY * 2)


class PreviewOut(Schema):
    subject: str
    text: str
    html: str


def _target(request: HttpRequest, slug: str, code: str, language: str) -> tuple[Institution, Kind]:
    institution = Institution.objects.filter(slug=slug).first()
    if (
        institution is None
        or language not in LANGUAGES
        or not within_token_scope(request, institution)
        or not overrides.may_edit(caller(request), institution)
    ):
        raise Http404
    try:
        return institution, overrides.overridable(code)
    except ValidationFailed:
        raise Http404 from None


def _out(institution: Institution, kind: Kind, language: str) -> EmailTemplateOut:
    saved = overrides.current(institution, kind, language)
    return EmailTemplateOut(
        institution=institution.slug,
        kind=kind.code,
        language=language,
        overridden=saved is not None,
        subject=saved.subject if saved else "",
        body=saved.body if saved else "",
        placeholders=[
            PlaceholderOut(name=name, label=str(PLACEHOLDERS[name].label))
            for name in kind.placeholders
        ],
    )


@router.get(PATH, response={200: EmailTemplateOut, **ERRORS}, summary="An email's wording")
def read_email_template(
    request: HttpRequest, slug: str, kind: str, language: str
) -> EmailTemplateOut:
    institution, found = _target(request, slug, kind, language)
    return _out(institution, found, language)


@router.put(
    PATH,
    response={200: EmailTemplateOut, **ERRORS},
    summary="Save the institution's wording of an email",
)
def put_email_template(
    request: HttpRequest, slug: str, kind: str, language: str, payload: WordingIn
) -> EmailTemplateOut:
    institution, found = _target(request, slug, kind, language)
    overrides.save_override(
        institution,
        found,
        language,
        subject=payload.subject,
        body=payload.body,
        by=caller(request),
    )
    return _out(institution, found, language)


@router.delete(
    PATH,
    response={204: None, **ERRORS},
    summary="Back to the platform's wording of an email",
)
def delete_email_template(request: HttpRequest, slug: str, kind: str, language: str) -> Status[Any]:
    institution, found = _target(request, slug, kind, language)
    overrides.delete_override(institution, found, language, by=caller(request))
    return Status(204, None)


@router.post(
    PATH + "/preview",
    response={200: PreviewOut, **ERRORS},
    summary="The email on sample values, in a wording or the platform's",
)
def preview_email_template(
    request: HttpRequest, slug: str, kind: str, language: str, payload: PreviewIn
) -> PreviewOut:
    institution, found = _target(request, slug, kind, language)
    rendered = overrides.sample(
        institution, found, language, subject=payload.subject, body=payload.body
    )
    return PreviewOut(subject=rendered.subject, text=rendered.text, html=rendered.html)
