"""The document checklist: which documents, in which format and size, translated or not."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from admissions.rules.checklist import (
    ChecklistError,
    ChecklistItem,
    document_checklist,
    relevant_diploma,
)
from admissions.rules.eligibility import check_eligibility
from admissions.rules.facts import CandidateFacts
from admissions.rules.schema import Rulebook
from admissions.rules.vocabulary import (
    DiplomaKind,
    DocumentCondition,
    DocumentFormat,
    Track,
    TranslationPolicy,
)
from tests.rules.eligibility_rulebooks import bs, bs_data, build, nord
from tests.rules.personas import (
    LICENCE,
    M1,
    M2,
    ON,
    alice,
    candidate,
    delf,
    diploma,
    karim,
    lena,
    student_permit,
    years_of_work,
)
from tests.rules.strategies import candidates, check_days

NORD = nord()
BS = bs()
FT = Track.FULL_TIME
WS = Track.WORK_STUDY

ALWAYS_BS = ["cv", "cover-letter", "identity", "photo", "transcripts"]


def checklist(
    facts: CandidateFacts,
    rulebook: Rulebook = BS,
    programme: str = "management",
    track: Track = FT,
    mode: str = "personal",
) -> dict[str, ChecklistItem]:
    result = check_eligibility(rulebook, programme, track, facts, ON)
    items = document_checklist(rulebook, programme, track, mode, facts, result)
    return {item.code: item for item in items}


def test_a_french_graduate_gives_the_documents_everybody_gives_and_the_diploma() -> None:
    assert list(checklist(alice)) == [
        "cv",
        "cover-letter",
        "identity",
        "photo",
        "diploma",
        "transcripts",
    ]


def test_items_carry_format_size_validity_and_language() -> None:
    items = checklist(alice)
    photo = items["photo"]
    assert photo.formats == (DocumentFormat.JPEG,)
    assert photo.max_size_mb == Decimal(2)
    assert photo.max_bytes == 2 * 1024 * 1024
    assert (photo.min_width_px, photo.min_height_px) == (300, 400)
    assert items["identity"].needs_validity_date
    assert not items["cv"].needs_validity_date
    assert items["cv"].content_language == "fr"
    assert items["transcripts"].max_pages == 20
    assert items["cv"].why is None
    assert items["diploma"].why is not None
    assert all(item.provided_by == "candidate" for item in items.values())


def test_order_follows_the_rulebook() -> None:
    codes = list(checklist(karim, track=FT))
    order = [requirement.code for requirement in BS.documents.requirements]
    assert codes == sorted(codes, key=order.index)


def test_foreign_diploma_asks_for_certified_translations_of_translatable_documents() -> None:
    items = checklist(karim)
    assert items["diploma"].translation == TranslationPolicy.CERTIFIED
    assert items["diploma"].translation_required
    assert items["transcripts"].translation == TranslationPolicy.CERTIFIED
    # The CV must be written in French: it is not a document to translate.
    assert items["cv"].translation is None
    assert "foreign-equivalence" in items


def test_french_diploma_asks_for_no_translation() -> None:
    assert not any(item.translation_required for item in checklist(alice).values())
    assert "foreign-equivalence" not in checklist(alice)


def test_translation_into_french_or_english_at_nord() -> None:
    items = checklist(karim, rulebook=NORD, programme="cyber")
    assert items["cv"].translation == TranslationPolicy.FRENCH_OR_ENGLISH
    assert items["identity"].translation is None


def test_french_certificate_when_needed() -> None:
    assert "delf" in checklist(karim)
    assert "delf" not in checklist(alice)
    assert "delf" not in checklist(candidate(M2, nationality="CN"))  # diploma from France
    belgian = candidate(diploma(5, DiplomaKind.FOREIGN, "NL"), nationality="BE")
    assert "delf" not in checklist(belgian)


def test_residence_permit_for_non_eu_living_in_france() -> None:
    chinese = candidate(
        diploma(5, DiplomaKind.FOREIGN, "CN"),
        nationality="CN",
        residence_country="FR",
        residence=student_permit(dt.date(2022, 9, 1), dt.date(2025, 8, 31)),
        certificate=delf(),
    )
    items = checklist(chinese)
    assert items["residence-permit"].needs_validity_date
    assert "residence-permit" not in checklist(karim)  # lives in Morocco
    assert "residence-permit" not in checklist(lena)
    assert "residence-permit" not in checklist(candidate(M2, nationality="DE"))


def test_non_eu_national_documents() -> None:
    assert "visa-documents" in checklist(karim)
    assert "visa-documents" not in checklist(lena)
    assert "visa-documents" not in checklist(alice)


def test_vapp_file_on_a_derogatory_route() -> None:
    derogatory = checklist(candidate(LICENCE, work=(years_of_work(3),)), NORD, "cyber")
    assert "vapp" in derogatory
    assert derogatory["vapp"].why is not None
    assert "derogatory" in derogatory["vapp"].why.en
    assert "vapp" not in checklist(alice, NORD, "cyber")


def test_diploma_only_once_obtained() -> None:
    still_studying = candidate(M1, diploma(5, DiplomaKind.MASTER_M2, year=2024, expected=True))
    assert "diploma" not in checklist(still_studying, NORD, "cyber")
    assert "diploma" in checklist(candidate(M2), NORD, "cyber")


def test_the_diploma_is_the_one_the_route_rests_on() -> None:
    # The M1 obtained carries the route (with experience): it is the diploma to upload.
    facts = candidate(
        M1,
        diploma(5, DiplomaKind.MASTER_M2, year=2024, expected=True),
        work=(years_of_work(4),),
    )
    result = check_eligibility(NORD, "cyber", FT, facts, ON)
    assert relevant_diploma(facts, result) == M1
    assert "diploma" in checklist(facts, NORD, "cyber")


def test_without_route_the_highest_diploma_decides() -> None:
    expected = diploma(5, DiplomaKind.MASTER_M2, year=2024, expected=True)
    facts = candidate(LICENCE, expected)
    result = check_eligibility(BS, "finance", FT, facts, ON)
    assert result.route is None
    assert relevant_diploma(facts, result) == expected
    assert relevant_diploma(candidate(), result) is None


def test_company_funding_and_work_study_documents() -> None:
    personal = checklist(alice, track=WS, mode="personal")
    assert "work-study-contract" in personal
    assert "funding-agreement" not in personal
    opco = checklist(alice, track=WS, mode="opco")
    assert "funding-agreement" in opco
    assert "work-study-contract" not in checklist(alice, track=FT, mode="employer")
    assert "funding-agreement" in checklist(alice, track=FT, mode="employer")


def test_unknown_financing_mode() -> None:
    with pytest.raises(ChecklistError) as caught:
        checklist(alice, mode="lottery")
    assert caught.value.code == "unknown_financing_mode"


def test_financing_mode_closed_to_the_track() -> None:
    with pytest.raises(ChecklistError) as caught:
        checklist(alice, track=FT, mode="opco")
    assert caught.value.code == "financing_mode_track"


def test_eligibility_result_of_another_choice_is_refused() -> None:
    result = check_eligibility(BS, "management", FT, alice, ON)
    with pytest.raises(ChecklistError) as caught:
        document_checklist(BS, "management", WS, "personal", alice, result)
    assert caught.value.code == "eligibility_mismatch"


def test_region_funded_quote_follows_the_financing_mode() -> None:
    items = checklist(alice, NORD, "cyber", mode="region")
    assert items["region-quote"].provided_by == "staff"
    assert items["region-quote"].why is not None
    assert "region-quote" not in checklist(alice, NORD, "cyber", mode="job-seeker")


def test_every_condition_has_an_explanation() -> None:
    from admissions.rules.checklist import WHY

    assert set(WHY) == set(DocumentCondition) - {DocumentCondition.ALWAYS}


def test_documents_without_condition_always_apply_and_only_them_for_a_plain_profile() -> None:
    data = bs_data()
    for requirement in data["documents"]["requirements"]:
        requirement["condition"] = "always"
    rulebook = build(data)
    assert len(checklist(alice, rulebook)) == len(rulebook.documents.requirements)


@given(candidates(), check_days, st.sampled_from(["personal", "employer"]), st.sampled_from(Track))
def test_always_documents_are_always_listed(
    facts: CandidateFacts, on: dt.date, mode: str, track: Track
) -> None:
    result = check_eligibility(BS, "management", track, facts, on)
    items = document_checklist(BS, "management", track, mode, facts, result)
    codes = [item.code for item in items]
    assert [code for code in codes if code in ALWAYS_BS] == ALWAYS_BS
    assert len(set(codes)) == len(codes)
    assert items == document_checklist(BS, "management", track, mode, facts, result)
    for item in items:
        assert item.translation_required is (item.translation is not None)
        if item.translation is not None:
            assert facts.has_foreign_diploma
