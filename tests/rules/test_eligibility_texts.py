"""What candidates and staff read: the explanations, in French and in English."""

import datetime as dt

from admissions.rules.eligibility import NoteCode, ReasonCode, check_eligibility
from admissions.rules.facts import WorkPeriod
from admissions.rules.vocabulary import DiplomaKind, Track
from tests.rules.eligibility_rulebooks import bs, build, nord, nord_data, route
from tests.rules.personas import LICENCE, M1, M2, ON, alice, candidate, diploma, years_of_work

NORD = nord()
BS = bs()
FT = Track.FULL_TIME

# Two years and four months of work, ending on the day of the check.
TWO_YEARS_FOUR_MONTHS = WorkPeriod(dt.date(2021, 9, 16), ON)


def test_why_a_bac3_candidate_is_not_eligible() -> None:
    result = check_eligibility(
        BS, "finance", FT, candidate(LICENCE, work=(TWO_YEARS_FOUR_MONTHS,)), ON
    )
    [reason] = result.reasons
    assert reason.code == ReasonCode.NO_ENTRY_ROUTE
    assert reason.text.en.startswith(
        "Your highest diploma is Bac+3 (licence degree); you have 2 years and 4 months of "
        "professional experience. This programme requires: Bac+5 or higher ("
    )
    assert "or Bac+4 or higher with at least 3 years of professional experience;" in (
        reason.text.en
    )
    assert "Bac+4 or higher, diploma obtained abroad" in reason.text.en
    assert reason.text.fr.startswith(
        "Votre diplôme le plus élevé est de niveau Bac+3 (licence) ; vous avez 2 ans et 4 mois "
        "d'expérience professionnelle. Ce programme demande : Bac+5 ou plus ("
    )
    assert "ou Bac+4 ou plus avec au moins 3 ans d'expérience professionnelle ;" in (reason.text.fr)


def test_the_route_failures_say_what_is_missing() -> None:
    result = check_eligibility(BS, "finance", FT, candidate(M1, work=(TWO_YEARS_FOUR_MONTHS,)), ON)
    by_code = {check.code: check for check in result.routes}
    [failure] = by_code["bac4-3y"].failures
    assert failure.text.en == (
        "at least 3 years of professional experience is required (you have 2 years and 4 months)"
    )
    assert failure.text.fr == (
        "il faut au moins 3 ans d'expérience professionnelle (vous avez 2 ans et 4 mois)"
    )
    level, kind = by_code["bac5"].failures
    assert (
        level.text.en == "a diploma at Bac+5 or higher is required; yours (M1 or maîtrise) is Bac+4"
    )
    assert kind.text.fr.startswith(
        "le diplôme doit être : diplôme d'ingénieur habilité par la CTI,"
    )


def test_near_miss_with_the_day_ongoing_work_gets_there() -> None:
    job = WorkPeriod(dt.date(2021, 9, 16), None)
    result = check_eligibility(BS, "finance", FT, candidate(M1, work=(job,)), ON)
    [near] = result.near_misses
    assert near.route.code == "bac4-3y"
    assert near.reached_on == dt.date(2024, 9, 15)
    assert "With 8 months more professional experience" in near.text.en
    assert "you will reach them on 15 September 2024" in near.text.en
    assert "vous les atteindrez le 15 septembre 2024" in near.text.fr


def test_near_miss_without_ongoing_work_has_no_date() -> None:
    result = check_eligibility(BS, "finance", FT, candidate(M1, work=(TWO_YEARS_FOUR_MONTHS,)), ON)
    [near] = result.near_misses
    assert near.reached_on is None
    assert "If your current job" not in near.text.en


def test_no_near_miss_for_what_cannot_change() -> None:
    # Experience does not turn a licence into a Bac+4, nor a French diploma into a foreign one.
    facts = candidate(LICENCE, work=(years_of_work(10),))
    result = check_eligibility(BS, "finance", FT, facts, ON)
    assert not result.eligible
    assert result.near_misses == ()


def test_no_near_miss_for_a_standard_route_candidate() -> None:
    assert check_eligibility(NORD, "cyber", FT, alice, ON).near_misses == ()


def test_what_the_route_implies_in_words() -> None:
    result = check_eligibility(NORD, "cyber", FT, candidate(LICENCE, work=(years_of_work(3),)), ON)
    notes = {note.code: note.text for note in result.notes}
    assert notes[NoteCode.ROUTE].en == (
        "You fit the entry route “Route bac3-3y” with your Bac+3 diploma (licence degree, 2020)."
    )
    assert "derogatory route" in notes[NoteCode.VAPP_REQUIRED].en
    assert "VAPP" in notes[NoteCode.VAPP_REQUIRED].fr


def test_no_diploma_entered() -> None:
    [reason] = check_eligibility(NORD, "cyber", FT, candidate(), ON).reasons
    assert reason.text.en.startswith(
        "You have not entered any diploma; you have no professional experience."
    )
    assert reason.text.fr.startswith(
        "Vous n'avez indiqué aucun diplôme ; vous n'avez pas d'expérience professionnelle."
    )


def test_expected_diploma_appears_in_the_situation() -> None:
    expected = diploma(5, DiplomaKind.MASTER_M2, year=2024, expected=True)
    [reason] = check_eligibility(BS, "finance", FT, candidate(LICENCE, expected), ON).reasons
    assert reason.text.en.startswith(
        "Your highest diploma is Bac+3 (licence degree), and you expect Bac+5 (M2 master's "
        "degree) in 2024;"
    )
    # Routes that do not take a diploma in progress say so.
    assert "(already obtained)" in reason.text.en
    [reason] = check_eligibility(BS, "finance", FT, candidate(expected), ON).reasons
    assert reason.text.en.startswith("You have no diploma yet, and you expect Bac+5")


def test_a_programme_without_any_route() -> None:
    data = nord_data()
    data["entry_routes"] = [route("energy", "standard", min_level=5, programmes=["energy"])]
    [reason] = check_eligibility(build(data), "cyber", FT, alice, ON).reasons
    assert reason.code == ReasonCode.NO_ENTRY_ROUTE
    assert "contact the school" in reason.text.en


def test_every_message_is_in_both_languages() -> None:
    profiles = [
        alice,
        candidate(M1),
        candidate(LICENCE, work=(TWO_YEARS_FOUR_MONTHS,)),
        candidate(M2, nationality="SN", residence_country="SN"),
        candidate(diploma(5, DiplomaKind.FOREIGN, "BR"), nationality="BR", residence_country="FR"),
    ]
    for rulebook, programme in ((NORD, "cyber"), (BS, "management"), (BS, "finance")):
        for track in Track:
            for facts in profiles:
                result = check_eligibility(rulebook, programme, track, facts, ON)
                texts = [m.text for m in (*result.reasons, *result.notes)]
                texts += [near.text for near in result.near_misses]
                texts += [f.text for check in result.routes for f in check.failures]
                for text in texts:
                    assert text.fr.strip()
                    assert text.en.strip()
                    assert text.fr != text.en
                    assert "{" not in text.fr + text.en
