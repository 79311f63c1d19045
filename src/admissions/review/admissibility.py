"""The admissibility review of a complete file, on the rulebook's criteria.

The outcome is the rulebook's own pair of words (admissible / not admissible at IMT-BS,
favourable / unfavourable opinion at IMT Nord Europe). Where the rulebook says a negative
outcome ends the file, "not admissible" is its last step; elsewhere the jury still sees it.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.core.errors import IllegalTransition
from admissions.people.models import User
from admissions.review import signals
from admissions.review.models import AdmissibilityReview, Outcome
from admissions.review.roles import ADMISSIBILITY, require
from admissions.review.scores import Score, checked_grid

MOVE_OF = {Outcome.POSITIVE: "record_admissible", Outcome.NEGATIVE: "record_not_admissible"}
STATUS_OF = {Outcome.POSITIVE: Status.ADMISSIBLE, Outcome.NEGATIVE: Status.NOT_ADMISSIBLE}


def record_admissibility(
    application: Application,
    *,
    by: User,
    scores: Mapping[str, Score],
    outcome: Outcome,
    comment: str = "",
) -> AdmissibilityReview:
    """Score each criterion and record the outcome, which moves the file on.

    Recording the same outcome again returns the review already made; a different outcome
    on a file already judged is refused (the review is not changed silently).
    """
    outcome = Outcome(outcome)
    require(by, application, ADMISSIBILITY)
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .get(pk=application.pk)
        )
        rules = locked.rules.review
        existing = AdmissibilityReview.objects.filter(application=locked).first()
        if existing is not None:
            if existing.outcome == outcome and locked.status == STATUS_OF[outcome]:
                return existing
            raise IllegalTransition(
                _("This file's admissibility is already recorded."),
                details={"status": locked.status, "outcome": existing.outcome},
            )
        grid = checked_grid(rules.criteria, scores)
        review = AdmissibilityReview.objects.create(
            application=locked,
            reviewer=by,
            scores=grid,
            outcome=outcome,
            comment=comment.strip(),
        )
        ends = outcome == Outcome.NEGATIVE and rules.negative_ends_application
        transition(
            locked,
            action=MOVE_OF[outcome],
            by=by,
            details={
                "outcome": outcome.value,
                "wording": (rules.positive if outcome == Outcome.POSITIVE else rules.negative).en,
                "ends_file": ends,
                "scores": {code: value["score"] for code, value in grid.items()},
            },
        )
        signals.admissibility_recorded.send(
            sender=Application,
            application_id=locked.pk,
            outcome=outcome.value,
            ends_file=ends,
            by=by,
        )
    return review


def outcome_label(application: Application, outcome: Outcome | str, language: str) -> str:
    """The rulebook's wording of an outcome, in `language`."""
    rules = application.rules.review
    text = rules.positive if Outcome(outcome) == Outcome.POSITIVE else rules.negative
    return text.get(language)
