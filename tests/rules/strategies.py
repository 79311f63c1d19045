"""Hypothesis strategies for candidates' facts, periods of work and entry routes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from admissions.rules.countries import is_france
from admissions.rules.facts import (
    CandidateFacts,
    CertificateKind,
    DiplomaStatus,
    Education,
    FrenchCertificate,
    LanguageLevel,
    ResidenceInFrance,
    WorkPeriod,
)
from admissions.rules.vocabulary import DiplomaKind, PermitKind
from tests.rules.eligibility_rulebooks import route

# France, its overseas departments, EU members, exempt or not from the French certificate,
# countries outside the EU.
COUNTRIES = ("FR", "RE", "DE", "BE", "IT", "LU", "CH", "MA", "SN", "CN", "US", "BR")

# Within a campaign: the check dates of a real application.
check_days = st.dates(min_value=dt.date(2023, 9, 15), max_value=dt.date(2024, 7, 15))

any_days = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2026, 12, 31))


@st.composite
def work_periods(draw: st.DrawFn) -> WorkPeriod:
    start = draw(any_days)
    if draw(st.booleans()):
        return WorkPeriod(start=start, end=None)
    return WorkPeriod(start=start, end=start + dt.timedelta(days=draw(st.integers(0, 4000))))


@st.composite
def diplomas(draw: st.DrawFn) -> Education:
    kind = draw(st.sampled_from(DiplomaKind))
    countries = (
        [c for c in COUNTRIES if not is_france(c)] if kind == DiplomaKind.FOREIGN else COUNTRIES
    )
    return Education(
        level=draw(st.integers(0, 8)),
        kind=kind,
        country=draw(st.sampled_from(countries)),
        year=draw(st.integers(1995, 2026)),
        status=draw(st.sampled_from(DiplomaStatus)),
    )


@st.composite
def residences(draw: st.DrawFn) -> ResidenceInFrance:
    return ResidenceInFrance(
        permit_kind=draw(st.sampled_from(PermitKind)),
        permit_valid_until=draw(st.dates(dt.date(2023, 1, 1), dt.date(2027, 12, 31))),
        in_france_since=draw(st.dates(dt.date(2015, 1, 1), dt.date(2024, 7, 15))),
    )


@st.composite
def candidates(draw: st.DrawFn) -> CandidateFacts:
    nationality = draw(st.sampled_from(COUNTRIES))
    residence_country = draw(st.sampled_from(COUNTRIES))
    residence = draw(st.none() | residences()) if is_france(residence_country) else None
    certificate = draw(
        st.none()
        | st.builds(
            FrenchCertificate,
            kind=st.sampled_from(CertificateKind),
            level=st.sampled_from(LanguageLevel),
        )
    )
    return CandidateFacts(
        nationality=nationality,
        residence_country=residence_country,
        residence_in_france=residence,
        french_certificate=certificate,
        education=tuple(draw(st.lists(diplomas(), max_size=4))),
        work=tuple(draw(st.lists(work_periods(), max_size=4))),
    )


@st.composite
def entry_routes(draw: st.DrawFn, code: str) -> dict[str, Any]:
    return route(
        code,
        draw(st.sampled_from(["standard", "derogatory"])),
        min_level=draw(st.integers(0, 6)),
        kinds=draw(st.lists(st.sampled_from([k.value for k in DiplomaKind]), max_size=3)),
        origin=draw(st.sampled_from(["any", "french", "foreign"])),
        years=draw(st.sampled_from(["0", "1", "1.5", "2", "3", "5"])),
        in_progress=draw(st.booleans()),
        vapp=draw(st.booleans()),
        conditional=draw(st.booleans()),
    )


route_lists = st.integers(1, 5).flatmap(
    lambda count: st.tuples(*[entry_routes(f"r{index}") for index in range(count)])
)
