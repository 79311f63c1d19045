"""Admissions on condition: the obtained diploma asked, sent, accepted, the condition lifted;
or not in time, and the admission lapses."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.catalog.models import Campaign
from admissions.core.errors import IllegalTransition, NotAllowed
from admissions.demo.candidates import sample_pdf
from admissions.documents.models import Document
from admissions.documents.review import accept_document, reject_document
from admissions.documents.services import upload_document
from admissions.notify.models import Notification
from admissions.people.models import Role
from admissions.workflow.conditions import (
    DiplomaNotAcceptedError,
    NotOnConditionError,
    condition_of,
    lapse_unmet_conditions,
    lift_condition,
)
from admissions.workflow.confirmation import confirm_place
from tests.factories import staff_member
from tests.workflow.places_helpers import (
    NORD_PROGRAMME,
    before_the_jury,
    decided,
    paris,
    set_capacity,
    statuses,
)

Capture = Callable[..., Any]
NORD_FUNDED = {"financing_mode": "plan-formation-entreprise"}


def _obtained_diploma_sent(application: Any, officer: Any) -> Document:
    """The office rejects the earlier copy (a certificate of enrolment), the candidate sends
    the diploma obtained, the office accepts it."""
    document = Document.objects.get(application=application, requirement_code="diplome")
    reject_document(document, by=officer, reason="Envoyez le diplôme obtenu.")
    result = upload_document(
        application=application,
        requirement_code="diplome",
        stream=io.BytesIO(sample_pdf("Diplôme obtenu")),
        filename="diplome.pdf",
        by=application.candidate,
        foreign_language=False,
    )
    assert result.document is not None
    return accept_document(result.document, by=officer)


def test_the_condition_lifts_on_the_accepted_diploma(nord: Campaign) -> None:
    offer = before_the_jury(nord, NORD_PROGRAMME, **NORD_FUNDED)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    # The diploma sent with the application (a certificate of enrolment), accepted by the
    # office before the jury, is not the proof.
    document = Document.objects.get(application=offer, requirement_code="diplome")
    accept_document(document, by=officer)
    transition(offer, action="publish_admitted_conditionally", by=None)
    condition = condition_of(offer)
    assert condition is not None
    assert condition.document_code == "diplome"
    assert condition.deadline is not None
    assert condition.deadline.isoformat() == "2024-10-06"
    assert condition.document_state == "accepted_by_staff"
    assert not condition.accepted
    with pytest.raises(DiplomaNotAcceptedError):
        lift_condition(offer, by=officer)
    with pytest.raises(NotAllowed):
        lift_condition(offer, by=offer.candidate)
    _obtained_diploma_sent(offer, officer)
    assert lift_condition(offer, by=officer).status == Status.ADMITTED
    event = offer.events.get(action="application.lift_condition")
    assert event.actor == officer
    assert Notification.objects.filter(application=offer, kind="condition_lifted").count() == 1
    with pytest.raises(NotOnConditionError):
        lift_condition(offer, by=officer)


def test_a_confirmed_place_on_condition_turns_final(nord: Campaign) -> None:
    offer = decided(nord, NORD_PROGRAMME, "publish_admitted_conditionally", **NORD_FUNDED)
    assert confirm_place(offer, by=offer.candidate).status == Status.CONFIRMED_CONDITIONALLY
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    _obtained_diploma_sent(offer, officer)
    assert lift_condition(offer, by=officer).status == Status.CONFIRMED
    assert offer.events.filter(action="application.lift_condition_confirmed").count() == 1


def test_the_lifecycle_refuses_lifting_what_is_not_on_condition(nord: Campaign) -> None:
    offer = decided(nord, NORD_PROGRAMME, "publish_admitted", **NORD_FUNDED)
    for action in ("lift_condition", "lift_condition_confirmed", "lapse_condition"):
        with pytest.raises(IllegalTransition):
            transition(offer, action=action, by=None)


def test_without_the_diploma_by_the_date_the_admission_lapses_and_the_place_goes(
    nord: Campaign,
    clock: time_machine.Coordinates,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    set_capacity(nord, NORD_PROGRAMME, 2)
    waiting_confirmed = decided(
        nord, NORD_PROGRAMME, "publish_admitted_conditionally", **NORD_FUNDED
    )
    confirm_place(waiting_confirmed, by=waiting_confirmed.candidate)
    kept = decided(nord, NORD_PROGRAMME, "publish_admitted", **NORD_FUNDED)
    confirm_place(kept, by=kept.candidate)
    waiting = decided(nord, NORD_PROGRAMME, "publish_waitlisted", rank=1, **NORD_FUNDED)
    assert lapse_unmet_conditions(paris(2024, 10, 6, 23, 59)) == []
    clock.move_to(paris(2024, 10, 7, 0, 0))
    with django_capture_on_commit_callbacks(execute=True):
        assert lapse_unmet_conditions() == [waiting_confirmed.reference]
    assert lapse_unmet_conditions() == []
    assert statuses([waiting_confirmed, kept, waiting]) == [
        Status.LAPSED,
        Status.CONFIRMED,
        Status.ADMITTED,
    ]
    event = waiting_confirmed.events.get(action="application.lapse_condition")
    assert event.details["deadline"] == "2024-10-06"
    assert (
        Notification.objects.filter(application=waiting_confirmed, kind="condition_lapsed").count()
        == 1
    )


def test_a_rulebook_without_a_date_never_lapses_a_condition(
    bs: Campaign, nord: Campaign, clock: time_machine.Coordinates
) -> None:
    offer = decided(nord, NORD_PROGRAMME, "publish_admitted_conditionally", **NORD_FUNDED)
    nord.rulebook["confirmation"].pop("condition_deadline")
    nord.save()
    clock.move_to(paris(2025, 1, 1, 0, 0))
    assert lapse_unmet_conditions() == []
    offer.refresh_from_db()
    assert offer.status == Status.ADMITTED_CONDITIONALLY
