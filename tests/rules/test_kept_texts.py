"""The texts the rules keep once made are the texts they would make again."""

from __future__ import annotations

from decimal import Decimal

from admissions.rules import explain, routes
from admissions.rules.experience import Duration
from admissions.rules.facts import Education
from admissions.rules.vocabulary import DiplomaKind
from tests.rules.eligibility_rulebooks import bs, build, nord, nord_data


def test_a_route_is_described_as_it_would_be_again() -> None:
    for rulebook in (nord(), bs()):
        for route in rulebook.entry_routes:
            for progress in (False, True):
                first = routes.describe_requirements(route, mention_progress=progress)
                again = routes.describe_requirements(route, mention_progress=progress)
                assert again is first
                assert first == routes._description(route, mention_progress=progress)


def test_a_changed_rulebook_gets_its_own_descriptions() -> None:
    data = nord_data()
    before = build(data).entry_routes[0]
    described = routes.describe_requirements(before, mention_progress=False)
    data["entry_routes"][0]["requires"]["min_experience_years"] = "7"
    after = build(data).entry_routes[0]
    changed = routes.describe_requirements(after, mention_progress=False)
    assert changed != described
    assert "7" in changed.en
    assert routes.describe_requirements(before, mention_progress=False) == described


def test_durations_kept_are_the_durations_computed() -> None:
    for years in ("0", "0.5", "1", "1.0", "2.25", "3", "12"):
        duration = Duration.from_years(Decimal(years))
        assert duration.months * 12 == Decimal(years) * 144
        assert duration == Duration.from_years(Decimal(years))
        assert duration.at_least(Decimal(years))
        assert not duration.at_least(Decimal(years) + Decimal("0.01"))
        assert explain.duration(duration) == explain._years_months_days.__wrapped__(
            *duration.parts()
        )


def test_a_diplomas_failures_kept_are_the_failures_worded() -> None:
    diplomas = [
        Education(level=level, kind=kind, country=country, year=2020)
        for level in (0, 2, 3, 5)
        for kind, country in (
            (DiplomaKind.LICENCE, "FR"),
            (DiplomaKind.MASTER_M2, "FR"),
            (DiplomaKind.FOREIGN, "MA"),
            (DiplomaKind.FOREIGN, "DE"),
        )
    ]
    worded = 0
    for rulebook in (nord(), bs()):
        for route in rulebook.entry_routes:
            for diploma in diplomas:
                first = routes._diploma_failures(route.requires, diploma)
                assert routes._diploma_failures(route.requires, diploma) is first
                assert list(first) == routes._worded_failures(route.requires, diploma)
                worded += bool(first)
    assert worded  # some diplomas miss some routes


def test_a_changed_rulebook_gets_its_own_failures() -> None:
    data = nord_data()
    diploma = Education(level=3, kind=DiplomaKind.LICENCE, country="FR", year=2020)
    before = build(data).entry_routes[0].requires
    data["entry_routes"][0]["requires"]["min_level"] = 7
    after = build(data).entry_routes[0].requires
    assert routes._diploma_failures(after, diploma) == tuple(
        routes._worded_failures(after, diploma)
    )
    assert routes._diploma_failures(before, diploma) == tuple(
        routes._worded_failures(before, diploma)
    )
    assert routes._diploma_failures(after, diploma) != routes._diploma_failures(before, diploma)
