"""/api/v1/staff/campaigns/{campaign_id}/...: a campaign's rules changed by its institution's
administrators, as on the back office's catalogue pages: a deadline extended, a part of the
rules checked, then changed.

The pages' scope (workflow.catalogue_sections): the campaigns of the institutions the caller
administers (all, for a platform administrator), 404 for anyone else, as on the pages, and
for a campaign outside a token's institution. A part of the rules is sent as the values of
its page's form, checked by that form; a value left out keeps its current one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from admissions.api.auth import caller, user_auth, within_token_scope
from admissions.api.schemas import ErrorOut, Input
from admissions.catalog.models import Campaign, CatalogChange
from admissions.core.errors import ValidationFailed
from admissions.rules.rulebook_diff import Difference
from admissions.workflow.catalogue import Proposal, extend_deadline
from admissions.workflow.catalogue_forms import RulesForm
from admissions.workflow.catalogue_sections import (
    Section,
    administered_campaigns,
    check_section,
    save_section,
    section_form,
)

router = Router(tags=["catalogue"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
SECTION = (
    "dates, fees, jury-new, document-new; with a key: programme (its slug), jury (its code), "
    "document (its code)"
)


class ExtensionIn(Input):
    which: Literal["closes_on", "international_deadline"]
    new_date: dt.date = Field(description="the new last day, until midnight Paris time")
    reason: str = Field(max_length=1000, description="told to the candidates by email")


class ExtensionOut(Schema):
    id: int
    campaign_id: int
    which: str
    old_date: dt.date
    new_date: dt.date
    reason: str


class RulesChangeIn(Input):
    key: str = Field("", max_length=100, description="the programme, session or document")
    values: dict[str, Any] = Field(
        default_factory=dict, description="the page form's fields; one left out keeps its value"
    )


class RulesSaveIn(RulesChangeIn):
    based_on: str = Field(
        "",
        max_length=64,
        description="the rules' digest the change was made against; empty: the current one",
    )


class DifferenceOut(Schema):
    path: str
    old: Any = Field(description="none: added")
    new: Any = Field(description="none: removed")


class ImpactOut(Schema):
    following: int = Field(description="drafts, which follow the new rules")
    kept: int = Field(description="submitted files, which keep the rules they were sent under")


class ProposalOut(Schema):
    based_on: str = Field(description="the digest of the rules this was checked against")
    differences: list[DifferenceOut]
    impact: ImpactOut
    warnings: list[str]


class ChangeOut(Schema):
    id: int
    kind: str
    subject: str
    old_digest: str
    new_digest: str
    differences: list[DifferenceOut]


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = administered_campaigns(caller(request)).filter(pk=campaign_id).first()
    if campaign is None or not within_token_scope(request, campaign.institution_id):
        raise Http404
    return campaign


def _value(value: Any) -> Any:
    """A JSON value as a form reads a posted one."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)


def _bound(campaign: Campaign, section: str, payload: RulesChangeIn) -> tuple[Section, RulesForm]:
    try:
        _spec, current = section_form(campaign, section, payload.key, None)
    except LookupError:
        raise Http404 from None
    unknown = sorted(set(payload.values) - set(current.fields))
    if unknown:
        message = _("This part of the rules has no such value.")
        raise ValidationFailed(
            message, details=[{"field": f"values.{name}", "message": message} for name in unknown]
        )
    data = {name: _value(current[name].value()) for name in current.fields}
    data |= {name: _value(value) for name, value in payload.values.items()}
    spec, form = section_form(campaign, section, payload.key, data)
    if not form.is_valid():
        raise ValidationFailed(
            _("Some values are missing or wrong."),
            details=[
                {
                    "field": "values" if field == "__all__" else f"values.{field}",
                    "message": error["message"],
                    "type": error["code"] or "invalid",
                }
                for field, errors in form.errors.get_json_data().items()
                for error in errors
            ],
        )
    return spec, form


def _differences(rows: list[Difference] | list[dict[str, Any]]) -> list[DifferenceOut]:
    return [
        DifferenceOut(path=row.path, old=row.old, new=row.new)
        if isinstance(row, Difference)
        else DifferenceOut(path=row["path"], old=row["old"], new=row["new"])
        for row in rows
    ]


def _proposal(campaign: Campaign, proposal: Proposal) -> ProposalOut:
    return ProposalOut(
        based_on=campaign.rulebook_digest,
        differences=_differences(proposal.differences),
        impact=ImpactOut(following=proposal.impact.following, kept=proposal.impact.kept),
        warnings=[str(warning) for warning in proposal.warnings],
    )


def _change(change: CatalogChange) -> ChangeOut:
    return ChangeOut(
        id=change.pk,
        kind=change.kind,
        subject=change.subject,
        old_digest=change.old_digest,
        new_digest=change.new_digest,
        differences=_differences(change.details.get("differences", [])),
    )


@router.post(
    "/campaigns/{campaign_id}/deadline-extensions",
    response={201: ExtensionOut, **ERRORS},
    summary="Extend a deadline of the campaign; the candidates concerned are told by email",
)
def extend_campaign_deadline(
    request: HttpRequest, campaign_id: int, payload: ExtensionIn
) -> Status[ExtensionOut]:
    campaign = _campaign(request, campaign_id)
    extension = extend_deadline(
        campaign,
        which=payload.which,
        new_date=payload.new_date,
        reason=payload.reason,
        by=caller(request),
    )
    return Status(
        201,
        ExtensionOut(
            id=extension.pk,
            campaign_id=campaign.pk,
            which=extension.which,
            old_date=extension.old_date,
            new_date=extension.new_date,
            reason=extension.reason,
        ),
    )


@router.post(
    "/campaigns/{campaign_id}/rules/{section}/check",
    response={200: ProposalOut, **ERRORS},
    summary="What a change of the campaign's rules would change, and which files it reaches",
    description=f"Nothing is saved. Sections: {SECTION}.",
)
def check_rules_change(
    request: HttpRequest, campaign_id: int, section: str, payload: RulesChangeIn
) -> ProposalOut:
    campaign = _campaign(request, campaign_id)
    _spec, form = _bound(campaign, section, payload)
    return _proposal(campaign, check_section(campaign, form))


@router.post(
    "/campaigns/{campaign_id}/rules/{section}",
    response={201: ChangeOut, **ERRORS},
    summary="Change the campaign's rules: drafts follow, submitted files keep theirs",
    description=(
        f"Sections: {SECTION}. Refused with `422 stale` when the rules changed since "
        "`based_on` was read."
    ),
)
def change_rules(
    request: HttpRequest, campaign_id: int, section: str, payload: RulesSaveIn
) -> Status[ChangeOut]:
    campaign = _campaign(request, campaign_id)
    spec, form = _bound(campaign, section, payload)
    change = save_section(
        campaign,
        spec,
        form,
        by=caller(request),
        based_on=payload.based_on or campaign.rulebook_digest,
    )
    return Status(201, _change(change))
