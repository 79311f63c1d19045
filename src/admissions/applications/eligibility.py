"""The eligibility of an application's candidate, as the rules see it, in words and as a record.

The rules answer in both languages at once; `explanation_for` picks the reader's language,
and `frozen_record` keeps both in the file when it is submitted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from admissions.applications.models import Application
from admissions.people.facts import candidate_facts
from admissions.people.profile import CandidateProfile, Education, WorkPeriod
from admissions.rules.deadlines import paris_date
from admissions.rules.eligibility import EligibilityError, EligibilityResult, check_eligibility
from admissions.rules.facts import CandidateFacts, FactsError
from admissions.rules.schema import Rulebook, Text
from admissions.rules.vocabulary import Track


@dataclass(frozen=True)
class Assessment:
    """What the rules say about a candidate and a programme, or why they cannot say."""

    on: dt.date
    result: EligibilityResult | None = None
    facts: CandidateFacts | None = None
    problem_code: str = ""  # a FactsError or EligibilityError code
    profile: CandidateProfile | None = None  # as read for this answer

    @property
    def judged(self) -> bool:
        return self.result is not None

    @property
    def eligible(self) -> bool:
        return self.result is not None and self.result.eligible


def full_profile(user_id: int) -> CandidateProfile | None:
    return (
        CandidateProfile.objects.filter(user_id=user_id)
        .prefetch_related(
            Prefetch("education", queryset=Education.objects.order_by("-year", "-level")),
            Prefetch("work_periods", queryset=WorkPeriod.objects.order_by("-start")),
        )
        .first()
    )


def assess_facts(
    rulebook: Rulebook, programme_slug: str, track: str, facts: CandidateFacts, on: dt.date
) -> Assessment:
    try:
        result = check_eligibility(rulebook, programme_slug, Track(track), facts, on)
    except EligibilityError as error:
        return Assessment(on=on, facts=facts, problem_code=error.code)
    return Assessment(on=on, result=result, facts=facts)


def assess(application: Application, *, on: dt.date | None = None) -> Assessment:
    day = on or paris_date(timezone.now())
    profile = full_profile(application.candidate_id)
    if profile is None:
        return Assessment(on=day, problem_code="profile_incomplete")
    try:
        facts = candidate_facts(profile)
    except FactsError as error:
        return Assessment(on=day, problem_code=error.code, profile=profile)
    assessment = assess_facts(
        application.rules, application.programme.slug, application.track, facts, day
    )
    return replace(assessment, profile=profile)


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def problem_text(code: str) -> str:
    """Why the rules cannot judge, in the reader's language."""
    if code == "profile_incomplete":
        return _(
            "Fill in your nationality and country of residence in your profile to see "
            "whether you are eligible."
        )
    if code == "residence_in_france":
        return _(
            "Your residence permit needs its end of validity and the date you arrived in "
            "France, and only a candidate living in France holds one: check your profile."
        )
    if code == "unknown_programme":
        return _("This programme is no longer in the institution's rules; contact the school.")
    return _("Some information in your profile does not hold together (%(code)s): check it.") % {
        "code": code.replace("_", " ")
    }


@dataclass(frozen=True)
class Explanation:
    """An eligibility answer ready to show: every sentence in the reader's language."""

    judged: bool
    eligible: bool = False
    route_code: str = ""
    route_label: str = ""
    derogatory: bool = False
    vapp_required: bool = False
    conditional_admission: bool = False
    notes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    near_misses: list[str] = field(default_factory=list)
    problem: str = ""
    deadline: dt.date | None = None


def explanation_for(assessment: Assessment) -> Explanation:
    language = _language()
    result = assessment.result
    if result is None:
        return Explanation(judged=False, problem=problem_text(assessment.problem_code))
    route = result.route
    return Explanation(
        judged=True,
        eligible=result.eligible,
        route_code=route.code if route else "",
        route_label=route.label.get(language) if route else "",
        derogatory=bool(route and route.kind == "derogatory"),
        vapp_required=result.implications.vapp_required,
        conditional_admission=result.implications.conditional_admission,
        notes=[note.text.get(language) for note in result.notes],
        reasons=[reason.text.get(language) for reason in result.reasons],
        near_misses=[miss.text.get(language) for miss in result.near_misses],
        deadline=result.implications.deadline,
    )


def _both(text: Text) -> dict[str, str]:
    return {"fr": text.fr, "en": text.en}


def frozen_record(assessment: Assessment, *, at: dt.datetime) -> dict[str, Any]:
    """The eligibility answer as JSON kept on a submitted file, in both languages."""
    result = assessment.result
    if result is None:
        return {"checked_at": at.isoformat(), "judged": False, "problem": assessment.problem_code}
    route = result.route
    implications = result.implications
    return {
        "checked_at": at.isoformat(),
        "on": result.on.isoformat(),
        "judged": True,
        "eligible": result.eligible,
        "route": route.code if route else "",
        "route_kind": str(route.kind) if route else "",
        "route_label": _both(route.label) if route else None,
        "vapp_required": implications.vapp_required,
        "conditional_admission": implications.conditional_admission,
        "french_certificate_needed": implications.french_certificate_needed,
        "translation": str(implications.translation) if implications.translation else "",
        "campus_france": implications.campus_france,
        "deadline": implications.deadline.isoformat(),
        "notes": [{"code": str(m.code), **_both(m.text)} for m in result.notes],
        "reasons": [{"code": str(m.code), **_both(m.text)} for m in result.reasons],
        "experience_years": str(result.experience.years),
    }
