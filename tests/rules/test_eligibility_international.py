"""International candidates: the work-study restriction, French certificate, Campus France,
translations and the international deadline."""

import datetime as dt

import pytest

from admissions.rules.eligibility import NoteCode, ReasonCode, check_eligibility
from admissions.rules.facts import CandidateFacts, CertificateKind, FrenchCertificate, LanguageLevel
from admissions.rules.international import (
    check_restriction,
    french_requirement,
    residence_permit_concerned,
)
from admissions.rules.vocabulary import (
    DiplomaKind,
    ExceptionKind,
    PermitKind,
    Track,
    TranslationPolicy,
)
from tests.rules.eligibility_rulebooks import bs, bs_data, build, nord, nord_data
from tests.rules.personas import (
    M2,
    ON,
    alice,
    candidate,
    delf,
    diploma,
    karim,
    lena,
    student_permit,
)

NORD = nord()
BS = bs()
FT = Track.FULL_TIME
WS = Track.WORK_STUDY
SINCE = dt.date(2023, 1, 15)  # a year before ON, to the day
VALID = dt.date(2024, 9, 30)

CN_MASTER = diploma(5, DiplomaKind.FOREIGN, "CN", 2022)


def chinese_student(
    since: dt.date = SINCE, until: dt.date = VALID, kind: PermitKind = PermitKind.STUDENT
) -> CandidateFacts:
    return candidate(
        CN_MASTER,
        nationality="CN",
        residence_country="FR",
        residence=student_permit(since, until, kind),
        certificate=delf(),
    )


def work_study(facts: CandidateFacts, on: dt.date = ON, programme: str = "management"):
    return check_eligibility(BS, programme, WS, facts, on)


def reason_codes(result) -> list[str]:
    return [reason.code for reason in result.reasons]


# The work-study restriction at IMT-BS ---------------------------------------------------


def test_first_time_non_eu_student_is_refused_in_work_study() -> None:
    facts = candidate(CN_MASTER, nationality="CN", residence_country="CN", certificate=delf())
    result = work_study(facts)
    assert not result.eligible
    assert reason_codes(result) == [ReasonCode.INTERNATIONAL_RESTRICTION]
    # The diplomas fit: only the restriction stands in the way.
    assert result.route is not None
    assert result.route.code == "foreign-m1-m2"
    [reason] = result.reasons
    assert "No first-time non-EU" in reason.text.en
    assert "you do not live in France" in reason.text.en
    assert "vous ne résidez pas en France" in reason.text.fr
    assert "you are not a national of a European Union member state" in reason.text.en


def test_the_full_time_track_is_unaffected_by_the_restriction() -> None:
    facts = candidate(CN_MASTER, nationality="CN", residence_country="CN", certificate=delf())
    result = check_eligibility(BS, "management", FT, facts, ON)
    assert result.eligible
    assert result.reasons == ()


def test_eu_national_is_not_restricted() -> None:
    result = work_study(lena)
    assert result.eligible
    assert not any(note.code == NoteCode.RESTRICTION_EXCEPTION for note in result.notes)


def test_non_eu_in_france_for_a_year_with_a_valid_student_permit_is_accepted() -> None:
    result = work_study(chinese_student())
    assert result.eligible
    [note] = [note for note in result.notes if note.code == NoteCode.RESTRICTION_EXCEPTION]
    assert "valid student residence permit" in note.text.en


def test_permit_expiring_on_the_day_of_the_check_is_valid() -> None:
    assert work_study(chinese_student(until=ON)).eligible


def test_permit_expired_the_day_before_the_check_is_not_valid() -> None:
    result = work_study(chinese_student(until=ON - dt.timedelta(days=1)))
    assert not result.eligible
    assert reason_codes(result) == [ReasonCode.INTERNATIONAL_RESTRICTION]
    assert "valid only until 14 January 2024" in result.reasons[0].text.en
    assert "valable que jusqu'au 14 janvier 2024" in result.reasons[0].text.fr


@pytest.mark.parametrize(
    ("since", "on", "eligible"),
    [
        (dt.date(2022, 9, 1), dt.date(2023, 8, 31), False),  # 364 days in France
        (dt.date(2022, 9, 1), dt.date(2023, 9, 1), True),  # 365 days in France
        (dt.date(2023, 3, 1), dt.date(2024, 2, 29), False),  # 365 days, not yet a year
        (dt.date(2023, 3, 1), dt.date(2024, 3, 1), True),  # one year to the day
    ],
)
def test_one_year_in_france(since: dt.date, on: dt.date, eligible: bool) -> None:
    result = work_study(chinese_student(since=since), on=on)
    assert result.eligible is eligible
    if not eligible:
        assert "you have been in France since" in result.reasons[0].text.en
        assert "at least 1 year is required" in result.reasons[0].text.en


def test_another_kind_of_permit_does_not_lift_the_restriction() -> None:
    result = work_study(chinese_student(kind=PermitKind.OTHER))
    assert not result.eligible
    assert "student residence permit is required" in result.reasons[0].text.en
    assert "(yours: other residence permit)" in result.reasons[0].text.en


def test_non_eu_in_france_without_a_permit_entered() -> None:
    facts = candidate(CN_MASTER, nationality="CN", residence_country="FR", certificate=delf())
    result = work_study(facts)
    assert not result.eligible
    assert "you have not entered a residence permit" in result.reasons[0].text.en


def test_every_unmet_condition_of_the_exception_is_listed() -> None:
    facts = chinese_student(
        since=dt.date(2023, 9, 1), until=dt.date(2023, 12, 31), kind=PermitKind.OTHER
    )
    text = work_study(facts).reasons[0].text.en
    assert "student residence permit is required" in text
    assert "valid only until 31 December 2023" in text
    assert "since 1 September 2023 (4 months and 14 days)" in text


def test_a_programme_offered_only_in_work_study() -> None:
    facts = candidate(CN_MASTER, nationality="CN", residence_country="CN", certificate=delf())
    assert not work_study(facts, programme="data").eligible
    assert work_study(alice, programme="data").eligible


def test_restriction_without_exceptions() -> None:
    data = bs_data()
    data["international"]["restrictions"][0]["exceptions"] = []
    rulebook = build(data)
    result = check_eligibility(rulebook, "management", WS, chinese_student(), ON)
    assert not result.eligible
    assert result.reasons[0].text.en == "No first-time non-EU international students in work-study."


def test_track_not_offered_is_a_reason() -> None:
    result = check_eligibility(BS, "finance", WS, alice, ON)
    assert not result.eligible
    assert reason_codes(result) == [ReasonCode.TRACK_NOT_OFFERED]
    assert "not offered as work-study" in result.reasons[0].text.en
    assert "full-time with an internship" in result.reasons[0].text.en
    assert "n'est pas proposé en alternance" in result.reasons[0].text.fr


def test_every_reason_is_given_at_once() -> None:
    facts = candidate(
        diploma(3, DiplomaKind.FOREIGN, "CN"), nationality="CN", residence_country="CN"
    )
    result = check_eligibility(BS, "finance", WS, facts, ON)
    assert reason_codes(result) == [
        ReasonCode.TRACK_NOT_OFFERED,
        ReasonCode.INTERNATIONAL_RESTRICTION,
        ReasonCode.NO_ENTRY_ROUTE,
    ]


# French certificate ---------------------------------------------------------------------


def test_french_national_needs_no_certificate() -> None:
    assert french_requirement(BS.language, alice) is None
    assert not check_eligibility(BS, "finance", FT, alice, ON).implications.french_certificate


def test_exempt_nationality_needs_no_certificate() -> None:
    belgian = candidate(
        diploma(5, DiplomaKind.MASTER_M2, "NL"), nationality="BE", residence_country="BE"
    )
    assert french_requirement(BS.language, belgian) is None


def test_diploma_from_an_exempt_country_needs_no_certificate() -> None:
    studied_in_france = candidate(M2, diploma(3, DiplomaKind.FOREIGN, "CN"), nationality="CN")
    assert french_requirement(BS.language, studied_in_france) is None


def test_other_candidates_need_a_b2_certificate() -> None:
    result = check_eligibility(BS, "finance", FT, karim, ON)
    french = result.implications.french_certificate
    assert french is not None
    assert french.level == LanguageLevel.B2
    assert not french.held
    assert result.implications.french_certificate_needed
    notes = {note.code: note for note in result.notes}
    assert "level B2" in notes[NoteCode.FRENCH_CERTIFICATE].text.en
    assert NoteCode.FRENCH_CERTIFICATE_SHORT in notes


@pytest.mark.parametrize(
    ("certificate", "held"),
    [
        (FrenchCertificate(CertificateKind.DELF, LanguageLevel.B2), True),
        (FrenchCertificate(CertificateKind.DALF, LanguageLevel.C1), True),
        (FrenchCertificate(CertificateKind.TCF, LanguageLevel.B1), False),
    ],
)
def test_declared_certificate(certificate: FrenchCertificate, held: bool) -> None:
    facts = candidate(
        diploma(5, DiplomaKind.FOREIGN, "MA"),
        nationality="MA",
        residence_country="MA",
        certificate=certificate,
    )
    french = french_requirement(BS.language, facts)
    assert french is not None
    assert french.held is held


def test_certificate_of_a_kind_the_school_does_not_accept() -> None:
    data = bs_data()
    data["language"]["accepted_certificates"] = ["DELF", "DALF"]
    facts = candidate(
        diploma(5, DiplomaKind.FOREIGN, "MA"),
        nationality="MA",
        certificate=FrenchCertificate(CertificateKind.TCF, LanguageLevel.C2),
    )
    french = french_requirement(build(data).language, facts)
    assert french is not None
    assert not french.held


def test_no_language_section_no_certificate() -> None:
    assert check_eligibility(NORD, "cyber", FT, karim, ON).implications.french_certificate is None


# Campus France, deadline, translations, residence permit ----------------------------------


def test_campus_france_for_a_non_eu_candidate_abroad() -> None:
    result = check_eligibility(NORD, "cyber", FT, karim, ON)
    assert result.implications.campus_france
    assert any(note.code == NoteCode.CAMPUS_FRANCE for note in result.notes)


def test_no_campus_france_for_eu_nationals_or_non_eu_already_in_france() -> None:
    assert not check_eligibility(NORD, "cyber", FT, lena, ON).implications.campus_france
    in_france = check_eligibility(NORD, "cyber", FT, chinese_student(), ON)
    assert not in_france.implications.campus_france


def test_no_campus_france_where_the_rulebook_does_not_ask() -> None:
    assert not check_eligibility(BS, "finance", FT, karim, ON).implications.campus_france


def test_international_deadline_applies_to_candidates_living_abroad() -> None:
    # An EU national living abroad is an international candidate too.
    assert check_eligibility(NORD, "cyber", FT, lena, ON).implications.international_deadline
    result = check_eligibility(NORD, "cyber", FT, karim, ON)
    assert result.implications.international_deadline
    assert result.implications.deadline == dt.date(2024, 3, 17)
    note = next(note for note in result.notes if note.code == NoteCode.INTERNATIONAL_DEADLINE)
    assert "17 March 2024" in note.text.en
    assert "17 mars 2024" in note.text.fr


def test_general_deadline_for_everybody_else() -> None:
    # A non-EU national already living in France is not an international candidate.
    for facts in (alice, chinese_student()):
        implications = check_eligibility(NORD, "cyber", FT, facts, ON).implications
        assert not implications.international_deadline
        assert implications.deadline == dt.date(2024, 6, 7)


def test_no_international_deadline_in_the_rulebook() -> None:
    implications = check_eligibility(BS, "finance", FT, karim, ON).implications
    assert not implications.international_deadline
    assert implications.deadline == dt.date(2024, 7, 15)


def test_translations_follow_the_rulebook_policy_for_foreign_diplomas() -> None:
    assert check_eligibility(NORD, "cyber", FT, karim, ON).implications.translation == (
        TranslationPolicy.FRENCH_OR_ENGLISH
    )
    assert check_eligibility(BS, "finance", FT, karim, ON).implications.translation == (
        TranslationPolicy.CERTIFIED
    )
    assert check_eligibility(BS, "finance", FT, alice, ON).implications.translation is None


def test_no_translation_when_the_rulebook_accepts_any_language() -> None:
    data = nord_data()
    data["documents"]["translation"] = "none"
    result = check_eligibility(build(data), "cyber", FT, karim, ON)
    assert result.implications.translation is None


def test_residence_permit_concerns_non_eu_nationals_living_in_france() -> None:
    assert residence_permit_concerned(chinese_student())
    assert not residence_permit_concerned(karim)
    assert not residence_permit_concerned(alice)
    assert not residence_permit_concerned(candidate(nationality="DE", residence_country="FR"))


def test_a_diploma_from_overseas_france_exempts_like_a_french_one() -> None:
    from_reunion = candidate(diploma(5, DiplomaKind.MASTER_M2, "RE"), nationality="MG")
    assert french_requirement(BS.language, from_reunion) is None


def test_check_restriction_names_the_exception_that_lifts_it() -> None:
    [restriction] = BS.international.restrictions
    assert check_restriction(restriction, lena, ON) is None  # not in the restricted group
    lifted = check_restriction(restriction, chinese_student(), ON)
    assert lifted is not None
    assert not lifted.restricted
    assert lifted.lifted_by is not None
    assert lifted.lifted_by.kind == ExceptionKind.RESIDENT_WITH_PERMIT
    standing = check_restriction(restriction, karim, ON)
    assert standing is not None
    assert standing.restricted
    assert standing.lifted_by is None
