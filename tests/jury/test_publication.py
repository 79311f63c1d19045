"""Publication at a set time or at once, the candidate's email with the admission letter,
the minutes, and what the candidate's history shows."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf
import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.utils import translation

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.applications.queries import history
from admissions.catalog.models import JurySession
from admissions.core.errors import DomainError
from admissions.jury import decisions, documents, publication
from admissions.jury.models import Decision, Publication
from admissions.notify.models import Notification
from admissions.people.models import User
from tests.documents.pdftext import pdf_text
from tests.jury.conftest import OnAgenda


def _decide_three(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> list[Application]:
    files = [on_agenda(), on_agenda(in_progress=True), on_agenda()]
    decisions.enter_decision(files[0], by=panel["a"], outcome="admitted")
    decisions.enter_decision(files[1], by=panel["a"], outcome="admitted_conditionally")
    decisions.enter_decision(files[2], by=panel["b"], outcome="not_admitted", reason="Projet flou")
    decisions.validate_decisions(march, by=panel["president"])
    return files


def test_publication_at_a_set_time_waits_for_it(
    on_agenda: OnAgenda,
    panel: dict[str, User],
    march: JurySession,
    clock: time_machine.Coordinates,
) -> None:
    files = _decide_three(on_agenda, panel, march)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    done = publication.schedule_publication(march, by=panel["president"], at=later)
    assert done.done_at is None
    assert publication.publish_due() == []
    assert Application.objects.get(pk=files[0].pk).status == Status.ON_AGENDA
    clock.move_to(later + dt.timedelta(minutes=1))
    assert publication.publish_due() == [f"{march.pk}: 3"]
    assert publication.publish_due() == []  # once
    assert Publication.objects.get(session=march).done_at is not None
    assert [Application.objects.get(pk=a.pk).status for a in files] == [
        Status.ADMITTED,
        Status.ADMITTED_CONDITIONALLY,
        Status.NOT_ADMITTED,
    ]
    assert Notification.objects.filter(kind__startswith="decision_").count() == 3


def test_only_the_president_or_the_office_publishes(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    _decide_three(on_agenda, panel, march)
    with pytest.raises(DomainError):
        publication.schedule_publication(march, by=panel["a"])


def test_nothing_to_publish_is_said(panel: dict[str, User], march: JurySession) -> None:
    with pytest.raises(DomainError):
        publication.schedule_publication(march, by=panel["president"])


def test_the_admitted_candidate_receives_the_letter_and_the_no_appeal_wording(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    files = _decide_three(on_agenda, panel, march)
    with TestCase.captureOnCommitCallbacks(execute=True):
        publication.schedule_publication(march, by=panel["president"])

    def decision_email(application: Application) -> mail.EmailMessage:
        subjects = dict(
            Notification.objects.filter(
                application=application, kind__startswith="decision_"
            ).values_list("subject", "kind")
        )
        [message] = [m for m in mail.outbox if m.subject in subjects]
        return message

    admitted = decision_email(files[0])
    [(name, content, mimetype)] = admitted.attachments
    assert mimetype == "application/pdf"
    assert name == f"lettre-admission-{files[0].reference}.pdf"
    text = pdf_text(pikepdf.open(io.BytesIO(content)))
    assert files[0].reference in text
    assert "admis" in text
    assert "recours" in admitted.body  # the rulebook's wording: no appeal
    conditional = decision_email(files[1])
    letter = pdf_text(pikepdf.open(io.BytesIO(conditional.attachments[0][1])))
    assert "Admission sous condition" in letter
    refused = decision_email(files[2])
    assert refused.attachments == []
    assert "recours" in refused.body


def test_the_minutes_list_decisions_members_and_signatures(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    files = _decide_three(on_agenda, panel, march)
    publication.schedule_publication(march, by=panel["president"])
    for language, title in (
        ("fr", "Procès-verbal du jury d'admission"),
        ("en", "Minutes of the admission jury"),
    ):
        text = pdf_text(pikepdf.open(io.BytesIO(documents.minutes(march, language=language))))
        assert title in text
        for application in files:
            assert application.reference in text
        for person in panel.values():
            assert person.display_name in text
        assert ("Signature :" if language == "fr" else "Signature:") in text


def test_the_candidate_sees_the_moves_not_the_deliberation(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    application = on_agenda()
    decisions.enter_decision(application, by=panel["a"], outcome="admitted")
    with translation.override("en"):
        lines = [line.text for line in history(application)]
    assert "Jury: decision entered" not in lines
    assert "File placed on the agenda of the admission jury" in lines
    assert not any("Admitted" in line for line in lines)
    decisions.validate_decisions(march, by=panel["president"])
    publication.schedule_publication(march, by=panel["president"])
    with translation.override("en"):
        lines = [line.text for line in history(Application.objects.get(pk=application.pk))]
    assert "Status: Admitted" in lines
    assert Decision.objects.get(application=application).published
