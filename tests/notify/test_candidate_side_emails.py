"""The emails of the candidate's side after submission: a document asked for, a declared
transfer not found, the regional funding to ask for in time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import Client

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.documents import review
from admissions.notify.models import Notification
from admissions.payments import ledger
from admissions.people.models import Role, User
from admissions.rules.vocabulary import ChargeKind
from admissions.workflow.declared_transfers import declare_transfer, flag_unmatched
from admissions.workflow.submission import submit
from tests.factories import (
    COVER_LETTER,
    PROFESSIONAL_PROJECT,
    accept_all_documents,
    draft,
    ready_application,
    staff_member,
)
from tests.notify.conftest import committed
from tests.notify.mail import Mail, mails
from tests.notify.test_events import GREETING, follows, only
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


def one_to(inbox: SmtpServer, to: User, language: str) -> Mail:
    """The one email that reached `to`, in `language`, with links to the site."""
    arrived = [mail for mail in mails(inbox.received) if mail.to == [to.email]]
    assert len(arrived) == 1, [mail.subject for mail in arrived]
    mail = arrived[0]
    assert mail.language == language
    assert GREETING[language] in mail.text
    assert GREETING[language] in mail.html
    assert any(link.startswith(settings.SITE_URL) for link in mail.links)
    return mail


@pytest.fixture
def declared(nord: Campaign, candidate: User) -> Application:
    """A complete file submitted on a declared transfer of its fee (IMT Nord Europe: 10 days)."""
    application = draft(
        candidate, nord, cover_letter=COVER_LETTER, professional_project=PROFESSIONAL_PROJECT
    )
    accept_all_documents(application)
    declare_transfer(application, by=candidate)
    return submit(application, by=candidate)


@pytest.fixture
def finance(nord: Campaign) -> User:
    officer = staff_member(Role.FINANCE_OFFICER, institution=nord.institution)
    officer.preferred_language = "en"
    officer.save()
    return officer


def test_a_declared_transfer_not_found_tells_the_candidate_and_finance_once(
    declared: Application,
    candidate: User,
    finance: User,
    officer: User,
    clock: time_machine.Coordinates,
    smtp_inbox: SmtpServer,
) -> None:
    clock.shift(dt.timedelta(days=9, hours=23))
    with committed():
        assert flag_unmatched() == []
    assert smtp_inbox.received == []
    clock.shift(dt.timedelta(hours=2))
    with committed():
        assert flag_unmatched() == [declared.reference]
    reference = ledger.line_of(declared.pk, ChargeKind.APPLICATION_FEE, None).creditor_reference
    printed = f"{reference[:4]} {reference[4:8]}"
    # The candidate, in French: what to check, and the page of the bank details.
    told = one_to(smtp_inbox, candidate, "fr")
    assert declared.reference in told.subject
    assert "12 février 2024" in told.text
    assert "10 jours plus tard" in told.text
    assert printed in told.text
    assert printed in told.html
    assert "FR76 1007 1590 0000 0010 2433 444" in told.text
    assert "60\u00a0€" in told.text
    assert "/transfer/application_fee/0/" in told.text
    follows(Client(), candidate, told)
    # The finance officer, in English, with the file's finance page; no admissions officer.
    looked_for = one_to(smtp_inbox, finance, "en")
    assert "Declared transfer not found" in looked_for.subject
    assert candidate.email in looked_for.text
    assert printed in looked_for.html
    assert "€60" in looked_for.text
    assert [path.split("/")[-3:] for path in looked_for.paths()] == [
        ["files", declared.reference, ""]
    ]
    follows(Client(), finance, looked_for)
    assert len(smtp_inbox.received) == 2
    assert not any(mail.to == [officer.email] for mail in mails(smtp_inbox.received))
    # The job runs again, a day later: nothing more.
    smtp_inbox.received.clear()
    clock.shift(dt.timedelta(days=1))
    with committed():
        assert flag_unmatched() == []
    assert smtp_inbox.received == []


def test_a_flag_rolled_back_sends_nothing(
    declared: Application, finance: User, clock: time_machine.Coordinates, smtp_inbox: SmtpServer
) -> None:
    clock.shift(dt.timedelta(days=11))
    rolled_back(flag_unmatched)
    assert not Notification.objects.filter(kind__contains="transfer_unmatched").exists()
    assert smtp_inbox.received == []
    assert not declared.events.filter(action="application.fee_transfer_unmatched").exists()
