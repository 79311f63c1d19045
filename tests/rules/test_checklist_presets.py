"""The shipped presets' checklists read the seeds closely: experience, CVEC, optional pieces."""

from __future__ import annotations

import pytest

from admissions.rulebooks import preset_path
from admissions.rules.checklist import ChecklistItem, document_checklist
from admissions.rules.eligibility import check_eligibility
from admissions.rules.facts import CandidateFacts
from admissions.rules.rulebook import read_rulebook
from admissions.rules.schema import Rulebook
from admissions.rules.vocabulary import DiplomaKind, FeeDue, Track
from tests.rules.personas import LICENCE, M1, M2, ON, candidate, diploma, years_of_work

NORD = read_rulebook(preset_path("imt-nord-europe")).rulebook
BS = read_rulebook(preset_path("imt-bs")).rulebook


def checklist(
    facts: CandidateFacts,
    rulebook: Rulebook = NORD,
    programme: str = "ms-cybersecurite",
    track: Track = Track.FULL_TIME,
    mode: str = "personnel",
) -> dict[str, ChecklistItem]:
    result = check_eligibility(rulebook, programme, track, facts, ON)
    assert result.eligible, result.reasons
    items = document_checklist(rulebook, programme, track, mode, facts, result)
    return {item.code: item for item in items}


def test_a_fresh_m2_graduate_is_not_asked_for_proof_of_experience() -> None:
    fresh = candidate(diploma(5, DiplomaKind.MASTER_M2, year=2023))
    assert "justificatifs-experience" not in checklist(fresh)


def test_a_candidate_who_declares_work_proves_it() -> None:
    worked = candidate(M2, work=(years_of_work(1),))
    assert "justificatifs-experience" in checklist(worked)


def test_a_route_resting_on_experience_asks_for_its_proof() -> None:
    # Bac+3 with 3 years: the derogatory route rests on the experience.
    items = checklist(candidate(LICENCE, work=(years_of_work(3),)))
    assert "justificatifs-experience" in items
    assert items["justificatifs-experience"].why is not None
    # M1 with 3 years: the standard route rests on it as well.
    assert "justificatifs-experience" in checklist(candidate(M1, work=(years_of_work(3),)))


def test_the_cvec_attestation_is_asked_after_admission_when_the_cvec_is_due() -> None:
    items = checklist(candidate(M2))
    attestation = items["attestation-cvec"]
    assert attestation.due == FeeDue.CONFIRMATION
    assert attestation.number_label is not None
    assert not attestation.required_to_submit
    # Not from a candidate a company funds, at IMT Nord Europe.
    assert "attestation-cvec" not in checklist(candidate(M2), mode="plan-formation-entreprise")


def test_typed_texts_are_not_pieces_to_upload() -> None:
    assert "projet-professionnel" not in checklist(candidate(M2))
    assert "lettre-motivation" in checklist(candidate(M2))


@pytest.mark.parametrize("track", [Track.FULL_TIME, Track.WORK_STUDY])
def test_optional_documents_never_hold_back_a_submission(track: Track) -> None:
    mode = "personnel" if track == Track.FULL_TIME else "opco"
    items = checklist(candidate(M2), BS, "ms-achats-supply-chain", track, mode)
    optional = items["documents-complementaires"]
    assert optional.optional
    assert not optional.required_to_submit
    assert items["cv"].required_to_submit
