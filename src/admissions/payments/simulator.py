"""The cost simulator behind the candidates' page and the API: what a choice will cost."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admissions.catalog.confirmations import indicative_tuition
from admissions.catalog.models import Campaign, Programme
from admissions.core.errors import ValidationFailed
from admissions.rules import fees
from admissions.rules.fees import CostEstimate, FeeError, FeeErrorCode
from admissions.rules.schema import Rulebook
from admissions.rules.vocabulary import Track

FEE_ERRORS = {
    FeeErrorCode.UNKNOWN_PROGRAMME: (
        "programme",
        gettext_lazy("This programme is not offered."),
    ),
    FeeErrorCode.UNKNOWN_FINANCING_MODE: (
        "financing_mode",
        gettext_lazy("Choose one of the financing modes offered."),
    ),
    FeeErrorCode.TRACK_NOT_OFFERED: (
        "track",
        gettext_lazy("This programme does not offer this track."),
    ),
    FeeErrorCode.MODE_NOT_FOR_TRACK: (
        "financing_mode",
        gettext_lazy("This financing mode is not available for this track."),
    ),
}


@dataclass(frozen=True)
class Simulation:
    programme: Programme
    rules: Rulebook
    estimate: CostEstimate
    # The tuition comes from values the school has not confirmed: amounts are indicative.
    indicative: bool = False


def _campaign_of(programme: Programme) -> Campaign | None:
    return (
        Campaign.objects.filter(institution_id=programme.institution_id)
        .order_by("-opens_on")
        .first()
    )


def rules_for(programme: Programme) -> Rulebook:
    """The rules of the programme's latest campaign, else its institution's current ones."""
    campaign = _campaign_of(programme)
    return campaign.rules if campaign is not None else programme.institution.rules


def simulate(programme: Programme, *, financing_mode: str, track: str) -> Simulation:
    rules = rules_for(programme)
    try:
        chosen_track = Track(track)
    except ValueError:
        raise ValidationFailed(
            _("Choose full time or work-study."),
            details=[{"field": "track", "message": "unknown track"}],
        ) from None
    try:
        estimate = fees.estimate(
            rules, programme=programme.slug, financing_mode=financing_mode, track=chosen_track
        )
    except FeeError as error:
        field, message = FEE_ERRORS[error.code]
        raise ValidationFailed(
            str(message), code=error.code.value, details=[{"field": field, "message": str(message)}]
        ) from None
    campaign = _campaign_of(programme)
    return Simulation(
        programme=programme,
        rules=rules,
        estimate=estimate,
        indicative=campaign is not None and indicative_tuition(campaign, programme.slug),
    )
