"""Saving a draft as the candidate goes, and withdrawing a file."""

from __future__ import annotations

import pytest

from admissions.applications.errors import (
    ApplicationLockedError,
    InvalidChoiceError,
    NotYourApplicationError,
)
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.core.errors import IllegalTransition
from admissions.people.models import User
from admissions.workflow.drafts import update_draft, withdraw
from admissions.workflow.submission import submit
from tests.factories import draft, programme_of, ready_application


def events(application: Application, action: str) -> list[ApplicationEvent]:
    return list(ApplicationEvent.objects.filter(application=application, action=action))


def test_saving_records_which_fields_changed(nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    changed = update_draft(
        application, by=candidate, cover_letter="Première version", financing_mode="personnel"
    )
    assert changed == ["cover_letter"]
    assert application.cover_letter == "Première version"
    [event] = events(application, "application.draft_saved")
    assert event.details == {"fields": ["cover_letter"]}
    assert event.actor == candidate


def test_saving_nothing_new_writes_nothing(nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord, cover_letter="Texte")
    assert update_draft(application, by=candidate, cover_letter="Texte") == []
    assert events(application, "application.draft_saved") == []


def test_a_wrong_financing_mode_changes_nothing(bs: Campaign, candidate: User) -> None:
    application = draft(
        candidate, bs, programme_of(bs, "ms-achats-supply-chain"), financing_mode="personnel"
    )
    with pytest.raises(InvalidChoiceError):
        update_draft(application, by=candidate, track="work_study", cover_letter="Nouveau")
    application.refresh_from_db()
    assert (application.track, application.cover_letter) == ("full_time", "")
    changed = update_draft(application, by=candidate, track="work_study", financing_mode="opco")
    assert changed == ["track", "financing_mode"]


def test_another_candidate_cannot_save(
    nord: Campaign, candidate: User, other_candidate: User
) -> None:
    application = draft(candidate, nord)
    with pytest.raises(NotYourApplicationError):
        update_draft(application, by=other_candidate, cover_letter="Piraté")
    application.refresh_from_db()
    assert application.cover_letter == ""


def test_a_draft_is_withdrawn_with_its_reason(nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    withdraw(application, by=candidate, reason="  J'ai choisi une autre école.  ")
    assert application.status == Status.WITHDRAWN
    [event] = events(application, "application.withdraw")
    assert (event.from_status, event.to_status) == ("draft", "withdrawn")
    assert event.details == {"reason": "J'ai choisi une autre école."}


def test_a_submitted_file_can_be_withdrawn_once(nord: Campaign, candidate: User) -> None:
    application = ready_application(candidate, nord)
    submit(application, by=candidate)
    withdraw(application, by=candidate)
    withdraw(application, by=candidate)
    assert application.status == Status.WITHDRAWN
    assert len(events(application, "application.withdraw")) == 1
    with pytest.raises(ApplicationLockedError):
        update_draft(application, by=candidate, cover_letter="Retour")


def test_a_final_decision_cannot_be_withdrawn(nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    Application.objects.filter(pk=application.pk).update(status=Status.NOT_ADMITTED)
    with pytest.raises(IllegalTransition):
        withdraw(application, by=candidate)
    application.refresh_from_db()
    assert application.status == Status.NOT_ADMITTED


def test_only_the_candidate_withdraws(
    nord: Campaign, candidate: User, other_candidate: User
) -> None:
    application = draft(candidate, nord)
    with pytest.raises(NotYourApplicationError):
        withdraw(application, by=other_candidate)
    application.refresh_from_db()
    assert application.status == Status.DRAFT
