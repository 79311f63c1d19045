import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from admissions.rules.jury import (
    DIPLOMA_ALREADY_OBTAINED,
    DIPLOMA_IN_PROGRESS,
    NO_DIPLOMA_IN_PROGRESS,
    derogation_use,
    derogatory_allowed,
    derogatory_room,
    diploma_mismatch,
    has_quorum,
    places_left,
    reason_missing,
    session_cutoff,
    session_for,
    within_capacity,
)
from admissions.rules.rulebook import read_rulebook
from admissions.rules.schema import Rulebook
from tests.factories import RULEBOOKS


def preset(name: str) -> Rulebook:
    return read_rulebook(RULEBOOKS / f"{name}.toml").rulebook


def test_the_cutoff_is_the_rulebooks_else_the_day_else_the_end_of_the_month() -> None:
    march = dt.date(2024, 3, 17)
    assert session_cutoff(month="2024-03", date=dt.date(2024, 3, 20), files_cutoff=march) == march
    assert session_cutoff(month="2024-03", date=dt.date(2024, 3, 20)) == dt.date(2024, 3, 20)
    assert session_cutoff(month="2024-02") == dt.date(2024, 2, 29)
    assert session_cutoff(month="2023-02") == dt.date(2023, 2, 28)
    assert session_cutoff(month="2024-12") == dt.date(2024, 12, 31)


CUTOFFS = [dt.date(2024, 3, 17), dt.date(2024, 4, 15), dt.date(2024, 5, 15)]


@pytest.mark.parametrize(
    ("ready_on", "expected"),
    [
        (dt.date(2024, 1, 1), 0),
        (dt.date(2024, 3, 17), 0),  # the cut-off day itself is in time
        (dt.date(2024, 3, 18), 1),  # missed March: April
        (dt.date(2024, 4, 15), 1),
        (dt.date(2024, 5, 15), 2),
        (dt.date(2024, 5, 16), None),  # no session left
    ],
)
def test_a_ready_file_goes_to_the_first_session_whose_cutoff_it_meets(
    ready_on: dt.date, expected: int | None
) -> None:
    assert session_for(ready_on, CUTOFFS) == expected


def test_sessions_listed_out_of_order_are_taken_by_cutoff() -> None:
    assert session_for(dt.date(2024, 3, 1), list(reversed(CUTOFFS))) == 2


@given(st.dates(), st.lists(st.dates(), max_size=6))
def test_the_session_chosen_is_the_earliest_cutoff_not_missed(
    ready_on: dt.date, cutoffs: list[dt.date]
) -> None:
    index = session_for(ready_on, cutoffs)
    meeting = [cutoff for cutoff in cutoffs if cutoff >= ready_on]
    if index is None:
        assert meeting == []
    else:
        assert cutoffs[index] == min(meeting)


def test_quorum() -> None:
    assert has_quorum(3, 3)
    assert not has_quorum(2, 3)


def test_reasons_where_the_rulebook_asks() -> None:
    required = ["not_admitted", "waitlisted"]
    assert reason_missing("not_admitted", "  ", required)
    assert not reason_missing("not_admitted", "Projet trop vague", required)
    assert not reason_missing("admitted", "", required)


def test_presets_give_a_quorum_and_the_cge_cap() -> None:
    for rulebook in (preset("imt-nord-europe"), preset("imt-bs")):
        assert rulebook.jury.quorum == 3
        cap = rulebook.jury.derogation_cap
        assert cap is not None
        assert cap.percent == 30
        assert "Conférence des Grandes Écoles" in cap.source.fr
        keys = [item.key for item in rulebook.to_confirm]
        assert "jury.quorum" in keys
        assert "jury.derogation_cap" in keys
    assert preset("imt-nord-europe").jury.reasons_required_for == ["waitlisted", "not_admitted"]
    assert [s.files_cutoff for s in preset("imt-nord-europe").jury_sessions] == [
        dt.date(2024, 3, 17),
        dt.date(2024, 4, 15),
        dt.date(2024, 5, 15),
        dt.date(2024, 6, 7),
    ]


@pytest.mark.parametrize(
    ("capacity", "holding", "offered", "left"),
    [(24, 0, 0, 24), (24, 20, 3, 1), (24, 20, 4, 0), (24, 25, 0, 0)],
)
def test_places_left(capacity: int, holding: int, offered: int, left: int) -> None:
    assert places_left(capacity, holding, offered) == left
    assert within_capacity(capacity, holding, offered, left) == (holding + offered <= capacity)
    assert not within_capacity(capacity, holding, offered, left + 1)


def test_the_cap_is_thirty_percent_of_the_cohort_rounded_down() -> None:
    assert derogatory_allowed(30, 10) == 3
    assert derogatory_allowed(30, 9) == 2
    assert derogatory_allowed(30, 3) == 0
    assert derogatory_allowed(0, 100) == 0
    assert derogatory_allowed(100, 7) == 7
    use = derogation_use(30, standard=7, derogatory=3)
    assert (use.cohort, use.allowed, use.within) == (10, 3, True)
    assert not derogation_use(30, standard=6, derogatory=3).within


@pytest.mark.parametrize("bad", [-1, 101])
def test_a_share_out_of_range_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="percent"):
        derogatory_allowed(bad, 10)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        derogation_use(30, standard=-1, derogatory=0)
    with pytest.raises(ValueError, match="negative"):
        derogatory_room(30, standard=0, derogatory=-1)


def test_room_exhaustively_matches_adding_one_at_a_time() -> None:
    for percent, standard, derogatory in itertools.product(range(0, 100, 5), range(30), range(12)):
        room = derogatory_room(percent, standard, derogatory)
        assert room is not None
        if not derogation_use(percent, standard, derogatory).within:
            assert room == 0
            continue
        assert derogation_use(percent, standard, derogatory + room).within
        assert not derogation_use(percent, standard, derogatory + room + 1).within


def test_no_limit_at_one_hundred_percent() -> None:
    assert derogatory_room(100, 0, 50) is None


@given(st.integers(0, 100), st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))
def test_more_standard_admissions_never_shrink_the_room(
    percent: int, standard: int, derogatory: int, more: int
) -> None:
    before = derogatory_room(percent, standard, derogatory)
    after = derogatory_room(percent, standard + more, derogatory)
    if before is None:
        assert after is None
    else:
        assert after is not None
        assert after >= before
    use = derogation_use(percent, standard, derogatory)
    assert 0 <= use.allowed <= use.cohort
    assert use.within == (100 * derogatory <= percent * (standard + derogatory))


@pytest.mark.parametrize(
    ("decision", "in_progress", "stated", "expected"),
    [
        ("admitted_conditionally", True, False, None),
        ("admitted_conditionally", False, False, NO_DIPLOMA_IN_PROGRESS),
        ("admitted_conditionally", False, True, NO_DIPLOMA_IN_PROGRESS),
        ("admitted_conditionally", True, True, DIPLOMA_ALREADY_OBTAINED),
        ("admitted", False, False, None),
        ("admitted", False, True, None),
        ("admitted", True, False, DIPLOMA_IN_PROGRESS),
        ("admitted", True, True, None),
    ],
)
def test_an_admission_fits_the_diploma_of_the_file(
    decision: str, in_progress: bool, stated: bool, expected: str | None
) -> None:
    assert (
        diploma_mismatch(decision, diploma_in_progress=in_progress, stated_obtained=stated)
        == expected
    )


@given(st.sampled_from(["waitlisted", "not_admitted"]), st.booleans(), st.booleans())
def test_decisions_that_admit_nobody_fit_any_diploma(
    decision: str, in_progress: bool, stated: bool
) -> None:
    assert (
        diploma_mismatch(decision, diploma_in_progress=in_progress, stated_obtained=stated) is None
    )
