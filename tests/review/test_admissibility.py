"""The admissibility review: the rulebook's criteria scored, then the rulebook's outcome."""

from __future__ import annotations

import pytest

from admissions.applications.lifecycle import Status
from admissions.applications.models import ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.core.errors import IllegalTransition, NotAllowed, ValidationFailed
from admissions.review import signals
from admissions.review.admissibility import outcome_label, record_admissibility
from admissions.review.models import AdmissibilityReview, Outcome
from admissions.review.scores import Score
from tests.review.conftest import SubmittedFile, complete, full_grid, lead_of, officer_of

BS_CRITERIA = ["coherence-parcours-projet-programme", "qualite-dossier", "expression-ecrite"]


def test_imt_bs_scores_its_three_criteria(bs: Campaign, submitted: SubmittedFile) -> None:
    application = complete(submitted(bs))
    lead = lead_of(bs)
    review = record_admissibility(
        application,
        by=lead,
        scores=full_grid(BS_CRITERIA, 15),
        outcome=Outcome.POSITIVE,
        comment=" clear project ",
    )
    application.refresh_from_db()
    assert application.status == Status.ADMISSIBLE
    assert list(review.scores) == BS_CRITERIA
    assert review.scores["qualite-dossier"] == {"score": 15, "comment": "note qualite-dossier"}
    assert review.comment == "clear project"
    event = ApplicationEvent.objects.get(
        application=application, action="application.record_admissible"
    )
    assert event.actor == lead
    assert event.details["wording"] == "Admissible application"
    assert outcome_label(application, Outcome.NEGATIVE, "fr") == "Candidature non admissible"


def test_not_admissible_ends_the_file_at_imt_bs(bs: Campaign, submitted: SubmittedFile) -> None:
    application = complete(submitted(bs))
    heard: list[dict[str, object]] = []

    def hear(**kwargs: object) -> None:
        heard.append(kwargs)

    signals.admissibility_recorded.connect(hear, dispatch_uid="test-admissibility")
    try:
        record_admissibility(
            application, by=lead_of(bs), scores=full_grid(BS_CRITERIA, 6), outcome=Outcome.NEGATIVE
        )
    finally:
        signals.admissibility_recorded.disconnect(dispatch_uid="test-admissibility")
    application.refresh_from_db()
    assert application.status == Status.NOT_ADMISSIBLE
    assert heard[0]["outcome"] == "negative"
    assert heard[0]["ends_file"] is True


def test_an_unfavourable_opinion_does_not_end_the_file_at_imt_nord_europe(
    nord: Campaign, submitted: SubmittedFile
) -> None:
    application = complete(submitted(nord))
    codes = [c.code for c in nord.rules.review.criteria]
    record_admissibility(
        application, by=lead_of(nord), scores=full_grid(codes), outcome=Outcome.NEGATIVE
    )
    event = ApplicationEvent.objects.get(
        application=application, action="application.record_not_admissible"
    )
    assert event.details["ends_file"] is False
    assert event.details["wording"] == "Unfavourable opinion"


def test_every_criterion_and_only_those(bs: Campaign, submitted: SubmittedFile) -> None:
    application = complete(submitted(bs))
    lead = lead_of(bs)
    grid = full_grid(BS_CRITERIA)
    del grid["expression-ecrite"]
    with pytest.raises(ValidationFailed):
        record_admissibility(application, by=lead, scores=grid, outcome=Outcome.POSITIVE)
    with pytest.raises(ValidationFailed):
        record_admissibility(
            application,
            by=lead,
            scores={**full_grid(BS_CRITERIA), "charisma": Score(10)},
            outcome=Outcome.POSITIVE,
        )
    with pytest.raises(ValidationFailed):
        record_admissibility(
            application, by=lead, scores=full_grid(BS_CRITERIA, 21), outcome=Outcome.POSITIVE
        )
    application.refresh_from_db()
    assert application.status == Status.COMPLETE
    assert not AdmissibilityReview.objects.exists()


def test_recording_again_is_one_review_and_changing_it_is_refused(
    bs: Campaign, submitted: SubmittedFile
) -> None:
    application = complete(submitted(bs))
    lead = lead_of(bs)
    first = record_admissibility(
        application, by=lead, scores=full_grid(BS_CRITERIA), outcome=Outcome.POSITIVE
    )
    again = record_admissibility(
        application, by=lead, scores=full_grid(BS_CRITERIA), outcome=Outcome.POSITIVE
    )
    assert again.pk == first.pk
    with pytest.raises(IllegalTransition):
        record_admissibility(
            application, by=lead, scores=full_grid(BS_CRITERIA), outcome=Outcome.NEGATIVE
        )
    assert (
        ApplicationEvent.objects.filter(
            application=application, action__startswith="application.record_"
        ).count()
        == 1
    )


def test_a_file_not_complete_is_not_reviewed(bs: Campaign, submitted: SubmittedFile) -> None:
    application = submitted(bs)
    with pytest.raises(IllegalTransition):
        record_admissibility(
            application, by=lead_of(bs), scores=full_grid(BS_CRITERIA), outcome=Outcome.POSITIVE
        )
    assert not AdmissibilityReview.objects.exists()


def test_the_admissions_officer_does_not_give_the_opinion(
    bs: Campaign, nord: Campaign, submitted: SubmittedFile
) -> None:
    application = complete(submitted(bs))
    for someone in (officer_of(bs), lead_of(nord)):
        with pytest.raises(NotAllowed):
            record_admissibility(
                application, by=someone, scores=full_grid(BS_CRITERIA), outcome=Outcome.POSITIVE
            )
