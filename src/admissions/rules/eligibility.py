"""Eligibility: the entry route of a programme a candidate fits and what it implies, or why not.

`check_eligibility` reads a rulebook and a candidate's facts on a given date and answers with
every reason in both languages, so that the candidate and the staff see the same explanation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from admissions.rules import explain
from admissions.rules.experience import Experience, professional_experience
from admissions.rules.facts import CandidateFacts
from admissions.rules.international import (
    GROUPS,
    FrenchRequirement,
    check_restriction,
    french_requirement,
    in_group,
)
from admissions.rules.routes import (
    NearMiss,
    RouteCheck,
    check_route,
    near_misses,
    preference,
    situation,
)
from admissions.rules.schema import Programme, Rulebook, Text
from admissions.rules.vocabulary import Track, TranslationPolicy


class EligibilityError(ValueError):
    """The question cannot be asked: the programme is not in the rulebook."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class ReasonCode(StrEnum):
    TRACK_NOT_OFFERED = "track_not_offered"
    INTERNATIONAL_RESTRICTION = "international_restriction"
    NO_ENTRY_ROUTE = "no_entry_route"


class NoteCode(StrEnum):
    ROUTE = "route"
    VAPP_REQUIRED = "vapp_required"
    CONDITIONAL_ADMISSION = "conditional_admission"
    TRANSLATION = "translation"
    FRENCH_CERTIFICATE = "french_certificate"
    FRENCH_CERTIFICATE_HELD = "french_certificate_held"
    FRENCH_CERTIFICATE_SHORT = "french_certificate_short"
    CAMPUS_FRANCE = "campus_france"
    INTERNATIONAL_DEADLINE = "international_deadline"
    RESTRICTION_EXCEPTION = "restriction_exception"


@dataclass(frozen=True)
class Message:
    code: str
    text: Text


@dataclass(frozen=True)
class Implications:
    vapp_required: bool  # a derogatory route asking for a VAPP file
    conditional_admission: bool  # until the diploma expected this year is obtained
    translation: TranslationPolicy | None  # for documents from abroad; None: not needed
    french_certificate: FrenchRequirement | None  # None: not needed
    campus_france: bool  # the "Études en France" procedure
    international_deadline: bool  # the earlier deadline of international.deadline_applies_to
    deadline: dt.date  # the last day to apply, to midnight Paris time

    @property
    def french_certificate_needed(self) -> bool:
        return self.french_certificate is not None


@dataclass(frozen=True)
class EligibilityResult:
    """The answer for one candidate, programme and track on one date.

    `route` is the entry route the diplomas and experience fit, chosen even when another reason
    (the track, an international restriction) makes the candidate ineligible; `eligible` alone
    says whether the candidate may apply.
    """

    programme: str
    track: Track
    on: dt.date
    eligible: bool
    route: RouteCheck | None
    reasons: tuple[Message, ...]  # why not eligible; empty when eligible
    implications: Implications
    notes: tuple[Message, ...]  # what the route and the profile imply, in words
    near_misses: tuple[NearMiss, ...]
    routes: tuple[RouteCheck, ...]  # every route of the programme, in rulebook order
    experience: Experience

    @property
    def vapp_required(self) -> bool:
        return self.implications.vapp_required


def check_eligibility(
    rulebook: Rulebook,
    programme_slug: str,
    track: Track,
    facts: CandidateFacts,
    on: dt.date,
) -> EligibilityResult:
    programme = _programme(rulebook, programme_slug)
    experience = professional_experience(facts.work, on)
    checks = [
        check_route(route, facts, experience, on) for route in rulebook.routes_for(programme.slug)
    ]
    best = min(
        (preference(check, index) for index, check in enumerate(checks) if check.matched),
        default=None,
    )
    route = checks[best[-1]] if best is not None else None

    reasons: list[Message] = []
    notes: list[Message] = []
    if track not in programme.tracks:
        reasons.append(_track_not_offered(programme, track))
    for restriction in rulebook.international.restrictions:
        checked = check_restriction(restriction, facts, on) if track in restriction.tracks else None
        if checked is not None and checked.restricted:
            reasons.append(Message(ReasonCode.INTERNATIONAL_RESTRICTION, checked.why))
        elif checked is not None:
            notes.append(Message(NoteCode.RESTRICTION_EXCEPTION, checked.why))
    if route is None:
        reasons.append(_no_entry_route(checks, facts, experience))

    implications = _implications(rulebook, facts, route)
    return EligibilityResult(
        programme=programme.slug,
        track=track,
        on=on,
        eligible=not reasons,
        route=route,
        reasons=tuple(reasons),
        implications=implications,
        notes=tuple(
            _route_notes(route) + notes + _implication_notes(rulebook, facts, implications)
        ),
        near_misses=tuple(near_misses(checks, route, facts, experience, on)),
        routes=tuple(checks),
        experience=experience,
    )


def _programme(rulebook: Rulebook, slug: str) -> Programme:
    try:
        return rulebook.programme(slug)
    except KeyError:
        known = ", ".join(programme.slug for programme in rulebook.programmes)
        raise EligibilityError(
            "unknown_programme",
            f"no programme {slug!r} in the rulebook of {rulebook.institution.slug} "
            f"(it has: {known})",
        ) from None


def _implications(
    rulebook: Rulebook, facts: CandidateFacts, route: RouteCheck | None
) -> Implications:
    campaign = rulebook.campaign
    international = campaign.international_deadline is not None and in_group(
        rulebook.international.deadline_applies_to, facts
    )
    deadline = campaign.closes_on.date
    if international and campaign.international_deadline is not None:
        deadline = campaign.international_deadline.date
    translation = rulebook.documents.translation
    return Implications(
        vapp_required=route is not None and route.vapp_required,
        conditional_admission=route is not None and route.conditional,
        translation=(
            translation
            if translation != TranslationPolicy.NONE and facts.has_foreign_diploma
            else None
        ),
        french_certificate=french_requirement(rulebook.language, facts),
        # The procedure is how a student outside the EU obtains a visa from abroad.
        campus_france=(
            rulebook.international.campus_france_for_non_eu
            and not facts.eu_national
            and not facts.lives_in_france
        ),
        international_deadline=international,
        deadline=deadline,
    )


def _track_not_offered(programme: Programme, track: Track) -> Message:
    offered = explain.join([explain.TRACKS[t] for t in programme.tracks])
    wanted = explain.TRACKS[track]
    return Message(
        ReasonCode.TRACK_NOT_OFFERED,
        explain.text(
            f"Le programme «\u00a0{programme.name.fr}\u00a0» n'est pas proposé en {wanted.fr} ; "
            f"il l'est en : {offered.fr}.",
            f"The programme “{programme.name.en}” is not offered as {wanted.en}; "
            f"it is offered as: {offered.en}.",
        ),
    )


def _no_entry_route(
    checks: list[RouteCheck], facts: CandidateFacts, experience: Experience
) -> Message:
    where = situation(facts, experience)
    if not checks:
        return Message(
            ReasonCode.NO_ENTRY_ROUTE,
            explain.text(
                "Aucune voie d'accès n'est définie pour ce programme ; contactez l'école.",
                "No entry route is defined for this programme; please contact the school.",
            ),
        )
    fr = " ; ou ".join(check.requirements.fr for check in checks)
    en = "; or ".join(check.requirements.en for check in checks)
    return Message(
        ReasonCode.NO_ENTRY_ROUTE,
        explain.text(
            f"{where.fr} Ce programme demande : {fr}.",
            f"{where.en} This programme requires: {en}.",
        ),
    )


def _route_notes(route: RouteCheck | None) -> list[Message]:
    if route is None:
        return []
    if route.diploma is not None:
        kind = explain.DIPLOMA_KINDS[route.diploma.kind]
        level = explain.level(route.diploma.level)
        fr = f" avec votre diplôme de niveau {level} ({kind.fr}, {route.diploma.year})"
        en = f" with your {level} diploma ({kind.en}, {route.diploma.year})"
    else:
        fr = en = ""
    notes = [
        Message(
            NoteCode.ROUTE,
            explain.text(
                f"Vous relevez de la voie d'accès «\u00a0{route.label.fr}\u00a0»{fr}.",
                f"You fit the entry route “{route.label.en}”{en}.",
            ),
        )
    ]
    if route.vapp_required:
        notes.append(
            Message(
                NoteCode.VAPP_REQUIRED,
                explain.text(
                    "C'est une voie dérogatoire : en plus du dossier de candidature, vous devez "
                    "remplir un dossier de validation des acquis professionnels et personnels "
                    "(VAPP).",
                    "This is a derogatory route: besides the application, you must complete a "
                    "file for the validation of professional and personal experience (VAPP).",
                ),
            )
        )
    if route.conditional and route.diploma is not None:
        notes.append(
            Message(
                NoteCode.CONDITIONAL_ADMISSION,
                explain.text(
                    f"Votre diplôme est attendu en {route.diploma.year} : une admission "
                    "serait prononcée sous condition de son obtention, et deviendrait "
                    "définitive quand vous le fournirez.",
                    f"Your diploma is expected in {route.diploma.year}: an admission would be "
                    "on condition that you obtain it, and final once you provide it.",
                ),
            )
        )
    return notes


def _implication_notes(
    rulebook: Rulebook, facts: CandidateFacts, implications: Implications
) -> list[Message]:
    notes: list[Message] = []
    if implications.translation is not None:
        policy = explain.TRANSLATIONS[implications.translation]
        notes.append(
            Message(
                NoteCode.TRANSLATION,
                explain.text(
                    f"Pour vos documents de l'étranger, {policy.fr}.",
                    f"For your documents from abroad, {policy.en}.",
                ),
            )
        )
    french = implications.french_certificate
    if french is not None:
        accepted = ", ".join(french.accepted)
        notes.append(
            Message(
                NoteCode.FRENCH_CERTIFICATE,
                explain.text(
                    f"Un certificat de français de niveau {french.level} au moins est demandé "
                    f"({accepted}).",
                    f"A French language certificate at level {french.level} or above is "
                    f"required ({accepted}).",
                ),
            )
        )
        if french.held:
            notes.append(
                Message(
                    NoteCode.FRENCH_CERTIFICATE_HELD,
                    explain.text(
                        "Le certificat que vous avez indiqué convient.",
                        "The certificate you entered meets this requirement.",
                    ),
                )
            )
        elif facts.french_certificate is not None:
            declared = f"{facts.french_certificate.kind} {facts.french_certificate.level}"
            notes.append(
                Message(
                    NoteCode.FRENCH_CERTIFICATE_SHORT,
                    explain.text(
                        f"Le certificat que vous avez indiqué ({declared}) ne convient pas : "
                        "il vous en faut un autre pour compléter votre dossier.",
                        f"The certificate you entered ({declared}) does not meet it: you need "
                        "another one to complete your application.",
                    ),
                )
            )
        else:
            notes.append(
                Message(
                    NoteCode.FRENCH_CERTIFICATE_SHORT,
                    explain.text(
                        "Vous n'avez pas indiqué de certificat : il vous en faut un pour "
                        "compléter votre dossier.",
                        "You have not entered a certificate: you need one to complete your "
                        "application.",
                    ),
                )
            )
    if implications.campus_france:
        notes.append(
            Message(
                NoteCode.CAMPUS_FRANCE,
                explain.text(
                    "Vous n'êtes pas ressortissant de l'Union européenne : inscrivez-vous "
                    "aussi sur la plateforme «\u00a0Études en France\u00a0» de Campus France.",
                    "As you are not a national of the European Union, you must also register "
                    "on Campus France's “Études en France” platform.",
                ),
            )
        )
    if implications.international_deadline:
        day = explain.date(implications.deadline)
        general = explain.date(rulebook.campaign.closes_on.date)
        who = GROUPS[rulebook.international.deadline_applies_to]
        notes.append(
            Message(
                NoteCode.INTERNATIONAL_DEADLINE,
                explain.text(
                    f"{who.fr} : votre candidature doit être déposée au plus tard le {day.fr} "
                    f"à minuit (heure de Paris), et non le {general.fr}.",
                    f"{who.en}, your application must be submitted by midnight (Paris time) "
                    f"on {day.en}, not {general.en}.",
                ),
            )
        )
    return notes
