"""Rules about where candidates come from: restrictions by nationality and residence,
the French certificate, the residence permit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import assert_never

from admissions.rules import explain
from admissions.rules.countries import is_france
from admissions.rules.experience import Duration, calendar_span, elapsed
from admissions.rules.facts import CandidateFacts, CertificateKind, LanguageLevel
from admissions.rules.schema import (
    FrenchLanguage,
    InternationalRestriction,
    RestrictionException,
    Text,
)
from admissions.rules.vocabulary import ExceptionKind, PermitKind, RestrictedGroup

PERMIT_KINDS: dict[PermitKind, Text] = {
    PermitKind.STUDENT: Text(fr="titre de séjour étudiant", en="student residence permit"),
    PermitKind.OTHER: Text(fr="autre titre de séjour", en="other residence permit"),
}


GROUPS: dict[RestrictedGroup, Text] = {
    RestrictedGroup.NON_EU_NATIONALS: Text(
        fr="Vous n'êtes pas ressortissant de l'Union européenne",
        en="As you are not a national of the European Union",
    ),
    RestrictedGroup.CANDIDATES_ABROAD: Text(
        fr="Vous résidez hors de France",
        en="As you live outside France",
    ),
}


@dataclass(frozen=True)
class FrenchRequirement:
    """A French certificate the candidate must provide."""

    level: LanguageLevel
    accepted: tuple[CertificateKind, ...]
    held: bool  # the certificate the candidate declared meets it


def french_requirement(
    language: FrenchLanguage | None, facts: CandidateFacts
) -> FrenchRequirement | None:
    """The French certificate asked of the candidate, if any.

    French nationals never need one; other candidates are exempt by nationality or by a
    diploma (obtained or under way) from a country the rulebook lists.
    """
    if language is None or is_france(facts.nationality):
        return None
    if _listed(facts.nationality, language.exempt_nationalities):
        return None
    if any(_listed(d.country, language.exempt_if_diploma_from) for d in facts.education):
        return None
    level = LanguageLevel(language.required_level)
    accepted = tuple(CertificateKind(kind) for kind in language.accepted_certificates)
    held = facts.french_certificate
    return FrenchRequirement(
        level=level,
        accepted=accepted,
        held=held is not None and held.kind in accepted and held.level.rank >= level.rank,
    )


def in_group(group: RestrictedGroup, facts: CandidateFacts) -> bool:
    """Whether the candidate belongs to a group the rulebook singles out."""
    match group:
        case RestrictedGroup.NON_EU_NATIONALS:
            return not facts.eu_national
        case RestrictedGroup.CANDIDATES_ABROAD:
            return not facts.lives_in_france
        case _:
            assert_never(group)


def residence_permit_concerned(facts: CandidateFacts) -> bool:
    """A national of a country outside the EU who lives in France holds a residence permit."""
    return not facts.eu_national and facts.lives_in_france


def _listed(country: str, countries: list[str]) -> bool:
    """Whether a country is listed; France's overseas count as France."""
    return country in countries or (is_france(country) and any(map(is_france, countries)))


@dataclass(frozen=True)
class RestrictionCheck:
    """A restriction confronted with a candidate who belongs to the group it restricts."""

    restriction: InternationalRestriction
    lifted_by: RestrictionException | None  # the exception the candidate falls in, if any
    why: Text  # why it is lifted, or why it stands with every exception that does not apply

    @property
    def restricted(self) -> bool:
        return self.lifted_by is None


def check_restriction(
    restriction: InternationalRestriction, facts: CandidateFacts, on: dt.date
) -> RestrictionCheck | None:
    """None when the candidate is outside the restricted group."""
    if not in_group(restriction.restricted, facts):
        return None
    why_not: list[Text] = []
    for exception in restriction.exceptions:
        unmet = _exception_unmet(exception, facts, on)
        if not unmet:
            return RestrictionCheck(
                restriction=restriction,
                lifted_by=exception,
                why=explain.text(
                    f"{restriction.wording.fr} Cela ne vous concerne pas : {exception.label.fr}.",
                    f"{restriction.wording.en} This does not concern you: {exception.label.en}.",
                ),
            )
        joined = explain.join(unmet, fr="et", en="and")
        why_not.append(
            explain.text(
                f"L'exception «\u00a0{exception.label.fr}\u00a0» ne s'applique pas : {joined.fr}.",
                f"The exception “{exception.label.en}” does not apply: {joined.en}.",
            )
        )
    return RestrictionCheck(
        restriction=restriction,
        lifted_by=None,
        why=explain.concat(restriction.wording, *why_not),
    )


def _exception_unmet(
    exception: RestrictionException, facts: CandidateFacts, on: dt.date
) -> list[Text]:
    """What keeps the candidate out of an exception; empty when they are in it."""
    if exception.kind == ExceptionKind.EU_NATIONAL:
        if facts.eu_national:
            return []
        return [
            explain.text(
                "vous n'êtes pas ressortissant d'un État membre de l'Union européenne",
                "you are not a national of a European Union member state",
            )
        ]
    if not facts.lives_in_france:
        return [explain.text("vous ne résidez pas en France", "you do not live in France")]
    residence = facts.residence_in_france
    if residence is None:
        return [
            explain.text(
                "vous n'avez pas indiqué de titre de séjour",
                "you have not entered a residence permit",
            )
        ]
    unmet: list[Text] = []
    if exception.permit_kinds and residence.permit_kind not in exception.permit_kinds:
        wanted = explain.join([PERMIT_KINDS[kind] for kind in exception.permit_kinds])
        held = PERMIT_KINDS[residence.permit_kind]
        unmet.append(
            explain.text(
                f"il faut un {wanted.fr} (le vôtre : {held.fr})",
                f"a {wanted.en} is required (yours: {held.en})",
            )
        )
    if exception.permit_must_be_valid and not residence.permit_valid_on(on):
        until = explain.date(residence.permit_valid_until)
        unmet.append(
            explain.text(
                f"votre titre de séjour n'était valable que jusqu'au {until.fr}",
                f"your residence permit was valid only until {until.en}",
            )
        )
    if exception.min_years_in_france is not None:
        stay = elapsed(residence.in_france_since, on)
        if not stay.at_least(exception.min_years_in_france):
            since = explain.date(residence.in_france_since)
            have = explain.span(calendar_span(residence.in_france_since, on))
            wanted = explain.duration(Duration.from_years(exception.min_years_in_france))
            unmet.append(
                explain.text(
                    f"vous êtes en France depuis le {since.fr} ({have.fr}), "
                    f"il faut au moins {wanted.fr}",
                    f"you have been in France since {since.en} ({have.en}), "
                    f"at least {wanted.en} is required",
                )
            )
    return unmet
