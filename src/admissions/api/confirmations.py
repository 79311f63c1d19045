"""/api/v1/staff/campaigns/{campaign_id}/to-confirm: the rulebook's values a school must
still confirm, as on the back office's page, and their confirmation.

The page's scope (workflow.confirmations): the campaigns of the institutions where the
caller holds a role (and of the institution a token is tied to), 404 for any other; only an
institution administrator of the campaign's school confirms (403 otherwise), through the
page's service (catalog.confirmations), which records confirming twice once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from admissions.api.auth import caller, token_institution, user_auth
from admissions.api.schemas import ErrorOut, Input
from admissions.catalog.confirmations import ValueToConfirm, confirm_value, values_to_confirm
from admissions.catalog.models import Campaign
from admissions.core.errors import NotAllowed, ValidationFailed
from admissions.people.permissions import is_staff_member
from admissions.workflow.confirmations import can_confirm, staff_campaigns

router = Router(tags=["catalogue"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ValueToConfirmOut(Schema):
    key: str = Field(description="where the value sits in the rulebook")
    note: str = Field(description="why the school must confirm it, when the rulebook says")
    value: Any = Field(description="the value as the rulebook holds it")
    confirmed_at: dt.datetime | None = Field(description="none: this value is not confirmed")


class ToConfirmOut(Schema):
    campaign_id: int
    can_confirm: bool
    values: list[ValueToConfirmOut]


class ConfirmIn(Input):
    key: str = Field(max_length=200, description="one of the campaign's values to confirm")


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    user = caller(request)
    if not is_staff_member(user):
        raise Http404
    campaign = staff_campaigns(user).filter(pk=campaign_id).first()
    bound = token_institution(request)
    if campaign is None or (bound is not None and campaign.institution_id != bound):
        raise Http404
    return campaign


def _out(request: HttpRequest, campaign: Campaign) -> ToConfirmOut:
    language = "en" if (get_language() or "fr").startswith("en") else "fr"

    def row(value: ValueToConfirm) -> ValueToConfirmOut:
        return ValueToConfirmOut(
            key=value.item.key,
            note=value.item.note.get(language) if value.item.note else "",
            value=value.value,
            confirmed_at=value.confirmed.confirmed_at if value.confirmed else None,
        )

    return ToConfirmOut(
        campaign_id=campaign.pk,
        can_confirm=can_confirm(caller(request), campaign),
        values=[row(value) for value in values_to_confirm(campaign)],
    )


@router.get(
    "/campaigns/{campaign_id}/to-confirm",
    response={200: ToConfirmOut, **ERRORS},
    summary="The campaign's values the school must still confirm",
)
def read_to_confirm(request: HttpRequest, campaign_id: int) -> ToConfirmOut:
    return _out(request, _campaign(request, campaign_id))


@router.post(
    "/campaigns/{campaign_id}/to-confirm",
    response={200: ToConfirmOut, **ERRORS},
    summary="Confirm a value of the campaign's rulebook, as it is now",
)
def confirm_rulebook_value(
    request: HttpRequest, campaign_id: int, payload: ConfirmIn
) -> ToConfirmOut:
    campaign = _campaign(request, campaign_id)
    user = caller(request)
    if not can_confirm(user, campaign):
        raise NotAllowed(_("Only an administrator of the school confirms its values."))
    if payload.key not in {item.key for item in campaign.rules.to_confirm}:
        message = _("This is not a value to confirm of this campaign.")
        raise ValidationFailed(message, details=[{"field": "key", "message": message}])
    confirm_value(campaign, payload.key, by=user)
    return _out(request, campaign)
