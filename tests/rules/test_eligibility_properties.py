"""Properties that hold for every candidate, programme, track, date and set of routes."""

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from admissions.rules.eligibility import EligibilityResult, check_eligibility
from admissions.rules.facts import CandidateFacts, Education, WorkPeriod
from admissions.rules.schema import Rulebook
from admissions.rules.vocabulary import RouteKind, Track
from tests.rules.eligibility_rulebooks import bs, build, nord, nord_data
from tests.rules.strategies import (
    candidates,
    check_days,
    diplomas,
    route_lists,
    work_periods,
)

NORD = nord()
BS = bs()
CHOICES = [
    (NORD, "cyber"),
    (NORD, "energy"),
    (BS, "management"),
    (BS, "data"),
    (BS, "finance"),
]
choices = st.tuples(st.sampled_from(CHOICES), st.sampled_from(Track))


def check(choice: tuple[tuple[Rulebook, str], Track], facts: CandidateFacts, on: dt.date):
    (rulebook, programme), track = choice
    return check_eligibility(rulebook, programme, track, facts, on)


@st.composite
def random_rulebooks(draw: st.DrawFn) -> Rulebook:
    data = nord_data()
    data["entry_routes"] = list(draw(route_lists))
    return build(data)


def assert_consistent(result: EligibilityResult) -> None:
    if result.eligible:
        assert result.reasons == ()
        assert result.route is not None
        assert result.route.matched
        assert result.route in result.routes
    else:
        assert result.reasons
    for reason in result.reasons:
        assert reason.text.fr.strip()
        assert reason.text.en.strip()
    if result.route is not None:
        matched = [check for check in result.routes if check.matched]
        assert result.route is min(
            matched,
            key=lambda c: (
                c.kind != RouteKind.STANDARD,
                c.diploma is not None and not c.diploma.obtained,
                result.routes.index(c),
            ),
        )
    else:
        assert not any(check.matched for check in result.routes)
    for check in result.routes:
        assert check.matched is (check.failures == ())


@settings(max_examples=120)
@given(choices, candidates(), check_days)
def test_results_are_consistent(choice, facts: CandidateFacts, on: dt.date) -> None:
    assert_consistent(check(choice, facts, on))


@settings(max_examples=100)
@given(random_rulebooks(), st.sampled_from(Track), candidates(), check_days)
def test_results_are_consistent_for_any_routes(
    rulebook: Rulebook, track: Track, facts: CandidateFacts, on: dt.date
) -> None:
    assert_consistent(check_eligibility(rulebook, "cyber", track, facts, on))


@given(choices, candidates(), check_days)
def test_result_is_deterministic(choice, facts: CandidateFacts, on: dt.date) -> None:
    first = check(choice, facts, on)
    assert check(choice, facts, on) == first
    reordered = dataclasses.replace(facts, work=tuple(reversed(facts.work)))
    assert check(choice, reordered, on) == first


@settings(max_examples=120)
@given(choices, candidates(), work_periods(), check_days)
def test_more_experience_never_makes_an_eligible_profile_ineligible(
    choice, facts: CandidateFacts, extra: WorkPeriod, on: dt.date
) -> None:
    if not check(choice, facts, on).eligible:
        return
    more = dataclasses.replace(facts, work=(*facts.work, extra))
    assert check(choice, more, on).eligible


@settings(max_examples=120)
@given(choices, candidates(), diplomas(), check_days)
def test_another_diploma_never_makes_an_eligible_profile_ineligible(
    choice, facts: CandidateFacts, extra: Education, on: dt.date
) -> None:
    if not check(choice, facts, on).eligible:
        return
    more = dataclasses.replace(facts, education=(*facts.education, extra))
    assert check(choice, more, on).eligible


@settings(max_examples=100)
@given(random_rulebooks(), candidates(), diplomas(), work_periods(), check_days)
def test_more_never_hurts_for_any_routes(
    rulebook: Rulebook,
    facts: CandidateFacts,
    extra: Education,
    job: WorkPeriod,
    on: dt.date,
) -> None:
    before = check_eligibility(rulebook, "cyber", Track.FULL_TIME, facts, on)
    if not before.eligible:
        return
    more = dataclasses.replace(facts, education=(*facts.education, extra), work=(*facts.work, job))
    assert check_eligibility(rulebook, "cyber", Track.FULL_TIME, more, on).eligible


@settings(max_examples=100)
@given(choices, candidates(), check_days)
def test_near_misses_are_better_routes_missed_by_one_thing(
    choice, facts: CandidateFacts, on: dt.date
) -> None:
    result = check(choice, facts, on)
    for near in result.near_misses:
        assert not near.route.matched
        assert near.route.failures == (near.missing,)
        if result.route is not None:
            assert result.route.kind == RouteKind.DEROGATORY
            assert near.route.kind == RouteKind.STANDARD
        if near.reached_on is not None:
            assert near.reached_on > on
            later = check_eligibility(
                *_rulebook_programme(choice), choice[1], facts, near.reached_on
            )
            assert any(c.code == near.route.code and c.matched for c in later.routes)


def _rulebook_programme(choice) -> tuple[Rulebook, str]:
    (rulebook, programme), _ = choice
    return rulebook, programme
