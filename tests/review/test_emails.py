"""The candidate hears of each step of the review by email, once, in their own language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.notify.models import Notification
from admissions.people.models import Role, User
from admissions.review import interviews
from admissions.review.admissibility import record_admissibility
from admissions.review.models import Outcome
from tests.factories import programme_of, staff_member
from tests.notify.conftest import committed
from tests.notify.mail import mails
from tests.review.conftest import (
    SubmittedFile,
    admissible,
    complete,
    full_grid,
    lead_of,
    officer_of,
)
from tests.services.smtp import SmtpServer

BS_CRITERIA = ["coherence-parcours-projet-programme", "qualite-dossier", "expression-ecrite"]


def kinds(application: Application) -> list[str]:
    return list(
        Notification.objects.filter(application=application)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_the_file_made_complete_is_told_once(nord: Campaign, submitted: SubmittedFile) -> None:
    application = complete(submitted(nord))
    assert kinds(application).count("file_complete") == 1


@pytest.mark.parametrize(
    ("outcome", "kind"), [(Outcome.POSITIVE, "admissible"), (Outcome.NEGATIVE, "not_admissible")]
)
def test_the_opinion_is_sent_in_the_candidates_language(
    bs: Campaign,
    submitted: SubmittedFile,
    smtp_inbox: SmtpServer,
    outcome: Outcome,
    kind: str,
) -> None:
    application = complete(submitted(bs))
    candidate: User = application.candidate
    candidate.preferred_language = "en"
    candidate.save()
    smtp_inbox.received.clear()
    with committed():
        record_admissibility(
            application, by=lead_of(bs), scores=full_grid(BS_CRITERIA, 12), outcome=outcome
        )
    assert kinds(application).count(kind) == 1
    [mail] = mails(smtp_inbox.received)
    assert mail.to == [candidate.email]
    assert mail.language == "en"
    assert application.reference in mail.subject


def test_an_opinion_rolled_back_sends_nothing(bs: Campaign, submitted: SubmittedFile) -> None:
    application = complete(submitted(bs))
    queued: list[str] = []

    def fail_after_the_move() -> None:
        with transaction.atomic():
            record_admissibility(
                application, by=lead_of(bs), scores=full_grid(BS_CRITERIA), outcome=Outcome.POSITIVE
            )
            queued.extend(kinds(application))
            raise RuntimeError("the page failed after the move")

    with pytest.raises(RuntimeError):
        fail_after_the_move()
    assert "admissible" in queued
    assert "admissible" not in kinds(application)


def in_days(days: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


def test_booking_then_moving_a_slot_each_send_one_email(
    bs: Campaign, submitted: SubmittedFile
) -> None:
    invited = admissible(complete(submitted(bs)))
    interviews.invite(invited, by=officer_of(bs))
    interviewer = staff_member(Role.INTERVIEWER, programme=programme_of(bs))
    first, second = (
        interviews.publish_slot(
            programme_of(bs),
            by=officer_of(bs),
            starts_at=in_days(days),
            interviewer=interviewer,
            video_link=f"https://visio.example.org/entretien-{days}",
        )
        for days in (5, 6)
    )
    interviews.book(invited, slot=first, by=invited.candidate)
    interviews.book(invited, slot=first, by=invited.candidate)
    assert kinds(invited).count("interview_invitation") == 1
    interviews.book(invited, slot=second, by=invited.candidate)
    assert kinds(invited).count("interview_changed") == 1
    changed = Notification.objects.get(application=invited, kind="interview_changed")
    assert second.video_link
    assert second.video_link in changed.text
