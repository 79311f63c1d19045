"""The emails of the candidate's side after submission: a document asked for, a declared
transfer not found, the regional funding to ask for in time."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.documents import review
from admissions.notify.models import Notification
from admissions.people.models import Role, User
from admissions.workflow.submission import submit
from tests.factories import ready_application, staff_member
from tests.notify.conftest import committed
from tests.notify.test_events import follows, only
from tests.services.smtp import SmtpServer

EXPERIENCE = "justificatifs-experience"


class RolledBackError(Exception):
    pass


def rolled_back(action: Callable[[], object]) -> None:
    """Run `action` in a transaction that fails after it, as a later error would."""
    with committed():
        try:
            with transaction.atomic():
                action()
                raise RolledBackError
        except RolledBackError:
            pass


@pytest.fixture
def officer(nord: Campaign) -> User:
    return staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)


def submitted(campaign: Campaign, person: User) -> Application:
    return submit(ready_application(person, campaign), by=person)


@pytest.mark.parametrize(
    ("who", "reason", "words"),
    [
        ("candidate", "Votre CV cite un stage : joignez l'attestation.", "Pièce demandée"),
        ("english_candidate", "Your CV names an internship: send its proof.", "Document asked"),
    ],
)
def test_a_document_asked_for_tells_the_candidate_why_and_where_to_send_it(
    who: str,
    reason: str,
    words: str,
    request: pytest.FixtureRequest,
    nord: Campaign,
    officer: User,
    smtp_inbox: SmtpServer,
) -> None:
    person: User = request.getfixturevalue(who)
    application = submitted(nord, person)
    with committed():
        review.request_document(application, EXPERIENCE, by=officer, reason=reason)
    mail = only(smtp_inbox, person, person.preferred_language)
    assert f"] {words}" in mail.subject
    assert application.reference in mail.subject
    assert reason in mail.text
    assert f"#doc-{EXPERIENCE}" in mail.text
    assert f"#doc-{EXPERIENCE}" in mail.html
    follows(Client(), person, mail)
    # Asking again for the piece already asked for sends nothing more.
    smtp_inbox.received.clear()
    with committed():
        review.request_document(application, EXPERIENCE, by=officer, reason=reason)
    assert smtp_inbox.received == []


def test_a_request_rolled_back_sends_nothing(
    nord: Campaign, candidate: User, officer: User, smtp_inbox: SmtpServer
) -> None:
    application = submitted(nord, candidate)
    rolled_back(
        lambda: review.request_document(application, EXPERIENCE, by=officer, reason="Joignez-la.")
    )
    assert not Notification.objects.filter(kind="document_requested").exists()
    assert smtp_inbox.received == []
