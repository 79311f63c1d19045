"""POST /api/v1/eligibility/check: the public self-check, for anyone, nothing stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router
from ninja.renderers import JSONRenderer

from admissions.api.auth import caller, user_auth
from admissions.api.schemas import (
    SLUG_MAX_LENGTH,
    EligibilityCheckIn,
    EligibilityCheckOut,
    ErrorOut,
    Input,
)
from admissions.applications.eligibility import full_profile, problem_text
from admissions.applications.self_check import Answers, facts_from_answers
from admissions.catalog import offer
from admissions.catalog.models import Campaign
from admissions.core.errors import ValidationFailed
from admissions.people.facts import candidate_facts
from admissions.rules.deadlines import paris_date
from admissions.rules.eligibility import EligibilityResult, Message, check_eligibility
from admissions.rules.facts import FactsError
from admissions.rules.schema import Text
from admissions.rules.vocabulary import Track

router = Router(tags=["eligibility"])

# The input field each contradiction of the rules' facts points at.
FACT_FIELDS = {
    "residence_in_france": "permit",
    "diploma_country": "diploma.country",
    "diploma_year": "diploma.year",
    "diploma_level": "diploma.level",
    "nationality": "nationality",
    "residence_country": "residence_country",
}


# The answer is written from the rules' own typed values, as django-ninja would write the
# declared `EligibilityCheckOut` (the OpenAPI document's): the same keys in the same order,
# dates as ISO dates, through the API's JSON renderer. Building the pydantic models only for
# ninja to dump them again was a third of the check outside the rules.
RENDERER = JSONRenderer()
CONTENT_TYPE = f"{RENDERER.media_type}; charset={RENDERER.charset}"


def _bilingual(text: Text) -> dict[str, str]:
    return {"fr": text.fr, "en": text.en}


def _messages(messages: tuple[Message, ...]) -> list[dict[str, Any]]:
    return [{"code": str(m.code), "text": {"fr": m.text.fr, "en": m.text.en}} for m in messages]


class ProfileCheckIn(Input):
    institution: str = Field(max_length=SLUG_MAX_LENGTH, description="e.g. imt-nord-europe")
    programme: str = Field(max_length=SLUG_MAX_LENGTH)
    campaign: str | None = Field(default=None, max_length=SLUG_MAX_LENGTH)
    track: Track


def _campaign(payload: EligibilityCheckIn | ProfileCheckIn, now: dt.datetime) -> Campaign:
    candidates = [
        campaign
        for campaign in offer.open_campaigns(now)
        if campaign.institution.slug == payload.institution
        and (payload.campaign is None or campaign.slug == payload.campaign)
    ]
    if not candidates:
        message = _("No campaign of this institution is open to applications.")
        raise ValidationFailed(message, details=[{"field": "institution", "message": message}])
    return candidates[0]


def result_out(campaign: Campaign, result: EligibilityResult) -> dict[str, Any]:
    """`EligibilityCheckOut` as its dump: the fields in their declared order."""
    route = result.route
    implications = result.implications
    return {
        "institution": campaign.institution.slug,
        "campaign": campaign.slug,
        "programme": result.programme,
        "track": result.track,
        "on": result.on.isoformat(),
        "eligible": result.eligible,
        "route": (
            {"code": route.code, "kind": str(route.kind), "label": _bilingual(route.label)}
            if route
            else None
        ),
        "reasons": _messages(result.reasons),
        "notes": _messages(result.notes),
        "near_misses": [_bilingual(miss.text) for miss in result.near_misses],
        "implications": {
            "vapp_required": implications.vapp_required,
            "conditional_admission": implications.conditional_admission,
            "french_certificate_needed": implications.french_certificate_needed,
            "translation": str(implications.translation) if implications.translation else None,
            "campus_france": implications.campus_france,
            "international_deadline": implications.international_deadline,
            "deadline": implications.deadline.isoformat(),
        },
    }


def answer(request: HttpRequest, campaign: Campaign, result: EligibilityResult) -> HttpResponse:
    content = RENDERER.render(request, result_out(campaign, result), response_status=200)
    return HttpResponse(content, content_type=CONTENT_TYPE)


@router.post(
    "/check",
    response={200: EligibilityCheckOut, 422: ErrorOut},
    summary="Check eligibility to a programme",
    description=(
        "Which entry route of the programme the answers fit, what it implies, or every reason\n"
        "why not, in French and English. Nothing is stored."
    ),
    auth=None,
)
def check(request: HttpRequest, payload: EligibilityCheckIn) -> HttpResponse:
    now = timezone.now()
    campaign = _campaign(payload, now)
    if not offer.offers_programme(now, campaign, payload.programme):
        message = _("This programme is not open to applications in this campaign.")
        raise ValidationFailed(message, details=[{"field": "programme", "message": message}])
    today = paris_date(now)
    permit = payload.permit
    answers = Answers(
        nationality=payload.nationality,
        residence_country=payload.residence_country,
        diploma_level=payload.diploma.level,
        diploma_kind=payload.diploma.kind,
        diploma_country=payload.diploma.country,
        diploma_status=payload.diploma.status,
        diploma_year=payload.diploma.year,
        experience_years=payload.experience_years,
        permit_kind=permit.kind if permit else None,
        permit_valid_until=permit.valid_until if permit else None,
        years_in_france=permit.years_in_france if permit else None,
        french_certificate=payload.french_certificate.kind if payload.french_certificate else None,
        french_level=payload.french_certificate.level if payload.french_certificate else None,
    )
    try:
        facts = facts_from_answers(answers, today)
    except FactsError as error:
        message = problem_text(error.code)
        raise ValidationFailed(
            message, details=[{"field": FACT_FIELDS.get(error.code, ""), "message": message}]
        ) from None
    result = check_eligibility(campaign.rules, payload.programme, payload.track, facts, today)
    return answer(request, campaign, result)


@router.post(
    "/check-my-profile",
    response={200: EligibilityCheckOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Check my eligibility to a programme from my saved profile",
    description=(
        "The same check as /check, with the facts of the signed-in candidate's saved profile\n"
        "(the ones their application would be judged on). Nothing is stored."
    ),
    auth=user_auth,
)
def check_my_profile(request: HttpRequest, payload: ProfileCheckIn) -> HttpResponse:
    now = timezone.now()
    campaign = _campaign(payload, now)
    if not offer.offers_programme(now, campaign, payload.programme):
        message = _("This programme is not open to applications in this campaign.")
        raise ValidationFailed(message, details=[{"field": "programme", "message": message}])
    profile = full_profile(caller(request).pk)
    if profile is None:
        message = problem_text("profile_incomplete")
        raise ValidationFailed(message, code="profile_incomplete")
    try:
        facts = candidate_facts(profile)
    except FactsError as error:
        raise ValidationFailed(problem_text(error.code), code=error.code) from None
    today = paris_date(now)
    result = check_eligibility(campaign.rules, payload.programme, payload.track, facts, today)
    return answer(request, campaign, result)
