"""Entry routes: whether a candidate's diplomas and experience fit one, and why not in words.

A route matches when one counted diploma meets all of its diploma conditions (level, kind,
origin) and the candidate's experience reaches its minimum. Counted diplomas are the obtained
ones, plus those expected this academic year where the route allows it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from admissions.rules import explain
from admissions.rules.countries import country_name
from admissions.rules.experience import ZERO, Duration, Experience, professional_experience
from admissions.rules.facts import CandidateFacts, Education
from admissions.rules.schema import EntryRoute, RouteRequirements, Text
from admissions.rules.vocabulary import DiplomaOrigin, RouteKind

MAX_PROJECTION_DAYS = 50 * 366  # experience is never projected further than the schema allows


class FailureCode(StrEnum):
    NO_DIPLOMA = "no_diploma"
    DIPLOMA_LEVEL = "diploma_level"
    DIPLOMA_KIND = "diploma_kind"
    DIPLOMA_ORIGIN = "diploma_origin"
    DIPLOMA_NOT_OBTAINED = "diploma_not_obtained"
    EXPERIENCE = "experience"


# Failures a candidate can overcome by waiting: worth showing as a near miss.
CURABLE = frozenset({FailureCode.EXPERIENCE, FailureCode.DIPLOMA_NOT_OBTAINED})


@dataclass(frozen=True)
class Failure:
    code: FailureCode
    text: Text


@dataclass(frozen=True)
class RouteCheck:
    """One entry route confronted with a candidate's facts."""

    code: str
    kind: RouteKind
    label: Text
    requirements: Text  # what the route asks, in words
    matched: bool
    diploma: Education | None  # the diploma the match relies on
    conditional: bool  # matched thanks to a diploma still expected: admission on condition
    vapp_required: bool
    min_experience: Duration
    failures: tuple[Failure, ...]


@dataclass(frozen=True)
class NearMiss:
    """A better route the candidate misses by one thing they can still change."""

    route: RouteCheck
    missing: Failure
    reached_on: dt.date | None  # when ongoing work brings the missing experience
    text: Text


def check_route(
    route: EntryRoute, facts: CandidateFacts, experience: Experience, on: dt.date
) -> RouteCheck:
    requires = route.requires
    failures: list[Failure] = []
    diploma: Education | None = None
    fitting = [d for d in facts.education if not _diploma_misses(requires, d)]
    counted = [d for d in fitting if _counts(requires, d, on)]
    if counted:
        diploma = min(counted, key=lambda d: (not d.obtained, -d.level))
    elif _asks_no_diploma(requires):
        pass
    elif fitting:
        failures.append(_not_obtained(min(fitting, key=lambda d: -d.level), on))
    elif not facts.education:
        failures.append(
            Failure(
                FailureCode.NO_DIPLOMA,
                explain.text(
                    "un diplôme est demandé, vous n'en avez indiqué aucun",
                    "a diploma is required and you have not entered any",
                ),
            )
        )
    else:
        closest = min(
            facts.education,
            key=lambda d: (
                len(_diploma_misses(requires, d)) + (0 if _counts(requires, d, on) else 1),
                -d.level,
                not d.obtained,
            ),
        )
        failures.extend(_diploma_failures(requires, closest))
        if not _counts(requires, closest, on):
            failures.append(_not_obtained(closest, on))
    if not experience.at_least(requires.min_experience_years):
        failures.append(_experience_failure(requires.min_experience_years, experience))
    matched = not failures
    return RouteCheck(
        code=route.code,
        kind=route.kind,
        label=route.label,
        requirements=describe_requirements(
            route, mention_progress=any(not d.obtained for d in facts.education)
        ),
        matched=matched,
        diploma=diploma if matched else None,
        conditional=bool(
            matched
            and diploma is not None
            and not diploma.obtained
            and route.implies.conditional_admission_if_in_progress
        ),
        vapp_required=route.implies.vapp_file,
        min_experience=Duration.from_years(requires.min_experience_years),
        failures=tuple(failures),
    )


def preference(check: RouteCheck, index: int) -> tuple[bool, bool, int]:
    """Standard before derogatory, an obtained diploma before an expected one, then order."""
    pending = check.diploma is not None and not check.diploma.obtained
    return (check.kind != RouteKind.STANDARD, pending, index)


def near_misses(
    checks: list[RouteCheck],
    chosen: RouteCheck | None,
    facts: CandidateFacts,
    experience: Experience,
    on: dt.date,
) -> list[NearMiss]:
    """Routes better than the chosen one (all, if none is) missed by one curable failure."""
    misses: list[NearMiss] = []
    for check in checks:
        if check.matched or len(check.failures) != 1 or check.failures[0].code not in CURABLE:
            continue
        if chosen is not None and not (
            chosen.kind == RouteKind.DEROGATORY and check.kind == RouteKind.STANDARD
        ):
            continue
        missing = check.failures[0]
        reached_on = None
        if missing.code == FailureCode.EXPERIENCE:
            reached_on = _experience_reached_on(facts, check.min_experience, on)
            text = _experience_near_miss(
                check, check.min_experience - experience.duration, reached_on
            )
        else:
            text = explain.text(
                f"Une fois ce diplôme obtenu, vous relèverez de la voie "
                f"«\u00a0{check.label.fr}\u00a0» ({missing.text.fr}).",
                f"Once that diploma is obtained, you will fit the route “{check.label.en}” "
                f"({missing.text.en}).",
            )
        misses.append(NearMiss(route=check, missing=missing, reached_on=reached_on, text=text))
    return misses


# Each route's description, with and without the mention of diplomas in progress: every
# check describes every route of its programme, and a rulebook's routes never change (a
# new rulebook is new objects). The route is kept with its text, so that its id names it.
_described: dict[tuple[int, bool], tuple[EntryRoute, Text]] = {}
DESCRIBED = 4096


def describe_requirements(route: EntryRoute, *, mention_progress: bool) -> Text:
    """What a route asks: "Bac+4 or higher with at least 3 years of professional experience"."""
    key = (id(route), mention_progress)
    found = _described.get(key)
    if found is not None and found[0] is route:
        return found[1]
    text = _description(route, mention_progress=mention_progress)
    if len(_described) >= DESCRIBED:
        _described.clear()
    _described[key] = (route, text)
    return text


def _description(route: EntryRoute, *, mention_progress: bool) -> Text:
    requires = route.requires
    kinds = [explain.DIPLOMA_KINDS[kind] for kind in requires.diploma_kinds]
    if requires.min_level and kinds:
        level = explain.level(requires.min_level)
        fr = f"{level} ou plus ({explain.join(kinds).fr})"
        en = f"{level} or higher ({explain.join(kinds).en})"
    elif requires.min_level:
        level = explain.level(requires.min_level)
        fr, en = f"{level} ou plus", f"{level} or higher"
    elif kinds:
        fr, en = explain.join(kinds).fr, explain.join(kinds).en
    else:
        fr, en = "tout diplôme", "any diploma"
    if requires.diploma_origin == DiplomaOrigin.FOREIGN:
        fr, en = f"{fr}, diplôme obtenu à l'étranger", f"{en}, diploma obtained abroad"
    elif requires.diploma_origin == DiplomaOrigin.FRENCH:
        fr, en = f"{fr}, diplôme obtenu en France", f"{en}, diploma obtained in France"
    if mention_progress and not _asks_no_diploma(requires):
        if requires.in_progress_allowed:
            fr, en = f"{fr} (obtenu ou attendu cette année)", f"{en} (obtained or expected "
            en += "this year)"
        else:
            fr, en = f"{fr} (déjà obtenu)", f"{en} (already obtained)"
    if requires.min_experience_years:
        years = explain.duration(Duration.from_years(requires.min_experience_years))
        fr += f" avec au moins {years.fr} d'expérience professionnelle"
        en += f" with at least {years.en} of professional experience"
    if route.kind == RouteKind.DEROGATORY:
        if route.implies.vapp_file:
            fr += " — voie dérogatoire, avec un dossier VAPP"
            en += " — derogatory route, with a VAPP file"
        else:
            fr += " — voie dérogatoire"
            en += " — derogatory route"
    return explain.text(fr, en)


def situation(facts: CandidateFacts, experience: Experience) -> Text:
    """The candidate's diplomas and experience in one sentence."""
    obtained = [d for d in facts.education if d.obtained]
    best = max(obtained, key=lambda d: d.level, default=None)
    expected = [d for d in facts.education if not d.obtained]
    higher = max(
        (d for d in expected if best is None or d.level > best.level),
        key=lambda d: d.level,
        default=None,
    )
    if best is not None:
        fr = f"Votre diplôme le plus élevé est de niveau {_diploma(best).fr}"
        en = f"Your highest diploma is {_diploma(best).en}"
    elif higher is not None:
        fr, en = "Vous n'avez pas encore de diplôme", "You have no diploma yet"
    else:
        fr, en = "Vous n'avez indiqué aucun diplôme", "You have not entered any diploma"
    if higher is not None:
        fr += f", et vous attendez un diplôme de niveau {_diploma(higher).fr} en {higher.year}"
        en += f", and you expect {_diploma(higher).en} in {higher.year}"
    if experience.duration > ZERO:
        have = explain.span(experience.span)
        fr += f" ; vous avez {have.fr} d'expérience professionnelle."
        en += f"; you have {have.en} of professional experience."
    else:
        fr += " ; vous n'avez pas d'expérience professionnelle."
        en += "; you have no professional experience."
    return explain.text(fr, en)


def _diploma(diploma: Education) -> Text:
    kind = explain.DIPLOMA_KINDS[diploma.kind]
    level = explain.level(diploma.level)
    return explain.text(f"{level} ({kind.fr})", f"{level} ({kind.en})")


def _counts(requires: RouteRequirements, diploma: Education, on: dt.date) -> bool:
    return diploma.obtained or (requires.in_progress_allowed and diploma.expected_this_year(on))


def _asks_no_diploma(requires: RouteRequirements) -> bool:
    return (
        requires.min_level == 0
        and not requires.diploma_kinds
        and requires.diploma_origin == DiplomaOrigin.ANY
    )


def _diploma_misses(requires: RouteRequirements, diploma: Education) -> list[FailureCode]:
    misses: list[FailureCode] = []
    if diploma.level < requires.min_level:
        misses.append(FailureCode.DIPLOMA_LEVEL)
    if requires.diploma_kinds and diploma.kind not in requires.diploma_kinds:
        misses.append(FailureCode.DIPLOMA_KIND)
    if (requires.diploma_origin == DiplomaOrigin.FOREIGN and not diploma.foreign) or (
        requires.diploma_origin == DiplomaOrigin.FRENCH and diploma.foreign
    ):
        misses.append(FailureCode.DIPLOMA_ORIGIN)
    return misses


# A diploma's failures against a route's diploma conditions, in words: a check words them
# for every route the candidate's closest diploma misses. Kept per conditions and diploma,
# as the descriptions above (a rulebook's conditions never change; kept with their failures,
# so that their id names them).
_failed: dict[tuple[int, Education], tuple[RouteRequirements, tuple[Failure, ...]]] = {}


def _diploma_failures(requires: RouteRequirements, diploma: Education) -> tuple[Failure, ...]:
    key = (id(requires), diploma)
    found = _failed.get(key)
    if found is not None and found[0] is requires:
        return found[1]
    failures = tuple(_worded_failures(requires, diploma))
    if len(_failed) >= DESCRIBED:
        _failed.clear()
    _failed[key] = (requires, failures)
    return failures


def _worded_failures(requires: RouteRequirements, diploma: Education) -> list[Failure]:
    failures: list[Failure] = []
    kind = explain.DIPLOMA_KINDS[diploma.kind]
    for code in _diploma_misses(requires, diploma):
        if code == FailureCode.DIPLOMA_LEVEL:
            wanted = explain.level(requires.min_level)
            have = explain.level(diploma.level)
            message = explain.text(
                f"il faut un diplôme de niveau {wanted} ou plus ; le vôtre ({kind.fr}) est "
                f"de niveau {have}",
                f"a diploma at {wanted} or higher is required; yours ({kind.en}) is {have}",
            )
        elif code == FailureCode.DIPLOMA_KIND:
            kinds = explain.join([explain.DIPLOMA_KINDS[k] for k in requires.diploma_kinds])
            message = explain.text(
                f"le diplôme doit être : {kinds.fr} (le vôtre : {kind.fr})",
                f"the diploma must be: {kinds.en} (yours: {kind.en})",
            )
        elif requires.diploma_origin == DiplomaOrigin.FOREIGN:
            message = explain.text(
                "le diplôme doit avoir été obtenu à l'étranger (le vôtre : en France)",
                "the diploma must have been obtained abroad (yours: in France)",
            )
        else:
            message = explain.text(
                "le diplôme doit avoir été obtenu en France "
                f"(le vôtre : {country_name(diploma.country, 'fr')})",
                "the diploma must have been obtained in France "
                f"(yours: {country_name(diploma.country, 'en')})",
            )
        failures.append(Failure(code, message))
    return failures


def _not_obtained(diploma: Education, on: dt.date) -> Failure:
    what = _diploma(diploma)
    if diploma.expected_this_year(on):
        message = explain.text(
            f"le diplôme attendu en {diploma.year} ({what.fr}) ne compte qu'une fois obtenu",
            f"the diploma expected in {diploma.year} ({what.en}) counts only once obtained",
        )
    else:
        message = explain.text(
            f"le diplôme attendu en {diploma.year} ({what.fr}) ne le sera pas avant la fin "
            "de l'année universitaire en cours",
            f"the diploma expected in {diploma.year} ({what.en}) will not be obtained by the "
            "end of the current academic year",
        )
    return Failure(FailureCode.DIPLOMA_NOT_OBTAINED, message)


def _experience_failure(years: Decimal, experience: Experience) -> Failure:
    required = explain.duration(Duration.from_years(years))
    if experience.duration > ZERO:
        have = explain.span(experience.span)
        fr_have, en_have = f"vous avez {have.fr}", f"you have {have.en}"
    else:
        fr_have, en_have = "vous n'en avez pas", "you have none"
    return Failure(
        FailureCode.EXPERIENCE,
        explain.text(
            f"il faut au moins {required.fr} d'expérience professionnelle ({fr_have})",
            f"at least {required.en} of professional experience is required ({en_have})",
        ),
    )


def _experience_near_miss(check: RouteCheck, shortfall: Duration, on: dt.date | None) -> Text:
    more = explain.duration(shortfall, round_up=True)
    fr = (
        f"Avec {more.fr} d'expérience professionnelle de plus, vous relèveriez de la voie "
        f"«\u00a0{check.label.fr}\u00a0» ({check.requirements.fr})."
    )
    en = (
        f"With {more.en} more professional experience, you would fit the route "
        f"“{check.label.en}” ({check.requirements.en})."
    )
    if on is not None:
        day = explain.date(on)
        fr += f" Si votre emploi actuel continue, vous les atteindrez le {day.fr}."
        en += f" If your current job goes on, you will reach them on {day.en}."
    return explain.text(fr, en)


def _experience_reached_on(
    facts: CandidateFacts, required: Duration, on: dt.date
) -> dt.date | None:
    """The first day on which work still going on after `on` brings `required` experience."""
    if not any(period.end is None or period.end > on for period in facts.work):
        return None

    def enough(day: dt.date) -> bool:
        return professional_experience(facts.work, day).duration >= required

    low, high = 0, min(MAX_PROJECTION_DAYS, (dt.date.max - on).days)
    if not enough(on + dt.timedelta(days=high)):
        return None
    while low < high:  # bisection: experience only grows with the day of the check
        middle = (low + high) // 2
        if enough(on + dt.timedelta(days=middle)):
            high = middle
        else:
            low = middle + 1
    return on + dt.timedelta(days=low)
