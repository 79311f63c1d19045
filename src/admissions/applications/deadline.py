"""The submission deadline that applies to one candidate."""

from __future__ import annotations

import datetime as dt

from admissions.catalog.models import Campaign
from admissions.people.facts import candidate_facts
from admissions.people.models import CandidateProfile, User
from admissions.rules.facts import CandidateFacts, FactsError
from admissions.rules.international import in_group


def profile_of(user: User) -> CandidateProfile | None:
    try:
        return user.profile
    except CandidateProfile.DoesNotExist:
        return None


def facts_of(user: User) -> CandidateFacts | None:
    profile = profile_of(user)
    if profile is None:
        return None
    try:
        return candidate_facts(profile)
    except FactsError:
        return None


def candidate_deadline(campaign: Campaign, facts: CandidateFacts | None) -> dt.datetime:
    """The first instant (UTC) at which the candidate's submission is late.

    The rulebook says whom the earlier international deadline binds (the same rule the
    eligibility engine states to the candidate). Without usable facts the general deadline
    is shown; submission needs those facts anyway.
    """
    deadline = campaign.closes_at
    international = campaign.international_closes_at
    group = campaign.rules.international.deadline_applies_to
    if international is not None and facts is not None and in_group(group, facts):
        deadline = min(deadline, international)
    return deadline
