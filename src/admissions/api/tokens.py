"""/api/v1/me/tokens: the signed-in person's personal API tokens.

Only a session may make or revoke tokens: a token cannot mint others. A staff member
confirms a new token with a code of their authenticator app (people/token_service.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja import Status as Answer

from admissions.api.auth import caller, session_auth
from admissions.api.schemas import ErrorOut, Input
from admissions.catalog.models import Institution, without_rulebooks
from admissions.people import token_service
from admissions.people.tokens import ApiToken, owned

router = Router(tags=["tokens"], auth=session_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class TokenIn(Input):
    name: str = Field(min_length=1, max_length=100)
    scope: Literal["read", "write"] = "read"
    institution: str | None = Field(
        default=None, max_length=60, description="slug of the only institution it may reach"
    )
    otp_code: str = Field(
        default="", max_length=12, description="a current code of your authenticator (staff)"
    )


class TokenOut(Schema):
    id: int
    name: str
    key_id: str
    scope: Literal["read", "write"]
    institution: str | None
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="the token itself: shown this once, never again")


def token_out(token: ApiToken, institution_slug: str | None = None) -> dict[str, object]:
    return {
        "id": token.pk,
        "name": token.name,
        "key_id": token.key_id,
        "scope": token.scope,
        "institution": institution_slug,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


@router.get("", response={200: list[TokenOut], **ERRORS}, summary="List my API tokens")
def list_tokens(request: HttpRequest) -> list[dict[str, object]]:
    tokens = (
        owned(caller(request))
        .select_related("institution")
        .defer(*without_rulebooks("institution"))
    )
    return [token_out(t, t.institution.slug if t.institution else None) for t in tokens]


@router.post("", response={201: NewTokenOut, **ERRORS}, summary="Make an API token")
def create_token(request: HttpRequest, payload: TokenIn) -> Answer[dict[str, object]]:
    institution = None
    if payload.institution:
        institution = get_object_or_404(
            Institution.objects.defer(*without_rulebooks("")), slug=payload.institution
        )
    token, text = token_service.create_token(
        caller(request),
        name=payload.name,
        can_write=payload.scope == "write",
        institution=institution,
        otp_code=payload.otp_code,
    )
    return Answer(201, {**token_out(token, payload.institution), "token": text})


@router.delete("/{token_id}", response={200: TokenOut, **ERRORS}, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: int) -> dict[str, object]:
    token = get_object_or_404(
        owned(caller(request))
        .select_related("institution")
        .defer(*without_rulebooks("institution")),
        pk=token_id,
    )
    token_service.revoke_token(token)
    return token_out(token, token.institution.slug if token.institution else None)
