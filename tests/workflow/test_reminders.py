"""The reminder jobs: each due reminder once, whoever runs the jobs and however often."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import TestCase

from admissions.applications.history import transition
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.documents.models import Document
from admissions.documents.review import reject_document
from admissions.notify.models import Notification, Status
from admissions.payments import ledger
from admissions.payments.models import Method
from admissions.people.models import Role, User
from admissions.rules.deadlines import PARIS
from admissions.rules.vocabulary import ChargeKind
from admissions.workflow import reminders
from admissions.workflow.confirmation import confirm_place
from admissions.workflow.submission import submit
from tests.factories import (
    draft,
    eligible_candidate,
    programme_of,
    ready_application,
    staff_member,
)
from tests.notify.mail import Mail, mails
from tests.services.smtp import SmtpServer
from tests.workflow.test_confirmation import send_cvec


def paris(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=PARIS)  # type: ignore[misc]


def setup_emails_sent() -> None:
    """The emails the setup queued (never delivered: its commits are not real) count as sent,
    so that only the reminders reach the inbox."""
    Notification.objects.filter(status=Status.QUEUED).update(status=Status.SENT)


def run_jobs() -> str:
    """The periodic command, forced past its timetable, its emails delivered as they commit."""
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("periodic", "--force", stdout=out)
    return out.getvalue()


def subjects(inbox: SmtpServer) -> list[str]:
    return [mail.subject for mail in mails(inbox.received)]


def only(inbox: SmtpServer) -> Mail:
    arrived = mails(inbox.received)
    assert len(arrived) == 1, [m.subject for m in arrived]
    inbox.received.clear()
    return arrived[0]


@pytest.fixture
def nord_draft(nord: Campaign, candidate: User) -> Application:
    return draft(candidate, nord, programme_of(nord, "ms-cybersecurite"))


def test_drafts_are_reminded_seven_days_then_one_day_before_their_deadline(
    nord_draft: Application, smtp_inbox: SmtpServer, clock: time_machine.Coordinates
) -> None:
    setup_emails_sent()
    clock.move_to(paris(2024, 5, 30, 10, 0))  # 8 days before 7 June: nothing yet
    run_jobs()
    assert smtp_inbox.received == []
    clock.move_to(paris(2024, 6, 1, 10, 0))
    run_jobs()
    run_jobs()  # twice: nothing twice
    mail = only(smtp_inbox)
    assert "7 juin 2024" in mail.subject
    assert "Plus que 7 jours" in mail.text
    assert "Reste à faire avant de pouvoir l’envoyer" in mail.text  # what still blocks it
    clock.move_to(paris(2024, 6, 7, 8, 0))
    run_jobs()
    run_jobs()
    assert "Plus que 1 jour" in only(smtp_inbox).text
    clock.move_to(paris(2024, 6, 8, 8, 0))  # too late: nothing more
    run_jobs()
    assert smtp_inbox.received == []


def test_a_late_run_sends_only_the_reminder_due_now(
    nord_draft: Application, smtp_inbox: SmtpServer, clock: time_machine.Coordinates
) -> None:
    setup_emails_sent()
    clock.move_to(paris(2024, 6, 7, 20, 0))
    run_jobs()
    assert "Plus que 1 jour" in only(smtp_inbox).text


def test_a_candidate_abroad_is_reminded_of_the_international_deadline(
    nord: Campaign, smtp_inbox: SmtpServer, clock: time_machine.Coordinates
) -> None:
    abroad = eligible_candidate(residence_country="BE")
    abroad.preferred_language = "en"
    abroad.save()
    draft(abroad, nord, programme_of(nord, "ms-cybersecurite"))
    setup_emails_sent()
    clock.move_to(paris(2024, 3, 12, 9, 0))
    run_jobs()
    mail = only(smtp_inbox)
    assert mail.to == [abroad.email]
    assert "17 March 2024" in mail.subject


def test_a_submitted_file_gets_no_deadline_reminder(
    nord: Campaign, candidate: User, smtp_inbox: SmtpServer, clock: time_machine.Coordinates
) -> None:
    application = ready_application(candidate, nord, programme_of(nord, "ms-cybersecurite"))
    submit(application, by=candidate)
    setup_emails_sent()
    clock.move_to(paris(2024, 6, 6, 9, 0))
    run_jobs()
    assert not [s for s in subjects(smtp_inbox) if "pas encore envoyée" in s]


def test_documents_rejected_three_days_ago_and_not_replaced_are_reminded(
    nord: Campaign, candidate: User, smtp_inbox: SmtpServer, clock: time_machine.Coordinates
) -> None:
    application = ready_application(candidate, nord, programme_of(nord, "ms-cybersecurite"))
    submit(application, by=candidate)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    document = Document.objects.filter(application=application).order_by("pk").first()
    assert document is not None
    reject_document(document, by=officer, reason="Illisible.")
    setup_emails_sent()
    clock.shift(dt.timedelta(days=2))
    assert reminders.remind_refused_documents() == 0
    clock.shift(dt.timedelta(days=1, minutes=1))
    run_jobs()
    run_jobs()
    mail = only(smtp_inbox)
    assert "Illisible." in mail.text
    assert "pièces à remplacer" in mail.subject


ADMITTED_AT = paris(2024, 3, 20, 18, 30)  # the window ends with 4 April


@pytest.fixture
def admitted(nord: Campaign, candidate: User, clock: time_machine.Coordinates) -> Application:
    application = ready_application(candidate, nord, programme_of(nord, "ms-cybersecurite"))
    submit(application, by=candidate)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    for step in ("mark_complete", "record_admissible", "place_on_agenda"):
        transition(application, action=step, by=officer)
    clock.move_to(ADMITTED_AT)
    with TestCase.captureOnCommitCallbacks(execute=True):
        transition(application, action="publish_admitted", by=officer)
    return application


def test_places_to_confirm_are_reminded_five_days_then_one_day_before_the_end(
    admitted: Application, smtp_inbox: SmtpServer, clock: time_machine.Coordinates
) -> None:
    setup_emails_sent()
    smtp_inbox.received.clear()
    clock.move_to(paris(2024, 3, 30, 10, 0))  # 5.6 days left
    run_jobs()
    assert smtp_inbox.received == []
    clock.move_to(paris(2024, 3, 31, 10, 0))
    run_jobs()
    run_jobs()
    mail = only(smtp_inbox)
    assert "4 avril 2024" in mail.subject
    assert "première échéance" in mail.text  # still to pay
    clock.move_to(paris(2024, 4, 4, 9, 0))
    run_jobs()
    assert "Plus que 1 jour" in only(smtp_inbox).text


def _pay_all(application: Application) -> None:
    for line in ledger.lines(application.pk):
        if line.outstanding > 0:
            ledger.record_payment(
                application.pk,
                charge_kind=ChargeKind(line.charge_kind),
                instalment=line.instalment,
                amount_cents=line.outstanding,
                method=Method.BANK_TRANSFER,
                by=None,
            )


def test_instalments_of_a_confirmed_place_are_reminded_once_each(
    admitted: Application,
    candidate: User,
    smtp_inbox: SmtpServer,
    clock: time_machine.Coordinates,
) -> None:
    _pay_all(admitted)
    send_cvec(admitted)
    confirm_place(admitted, by=candidate)
    ledger.charge(
        admitted.pk,
        charge_kind=ChargeKind.TUITION,
        instalment=2,
        amount_cents=300_000,
        by=None,
        due_on=dt.date(2025, 1, 15),
    )
    setup_emails_sent()
    smtp_inbox.received.clear()
    clock.move_to(paris(2025, 1, 7, 9, 0))  # 8 days before
    run_jobs()
    assert smtp_inbox.received == []
    clock.move_to(paris(2025, 1, 8, 9, 0))
    run_jobs()
    run_jobs()
    mail = only(smtp_inbox)
    assert "15 janvier 2025" in mail.subject
    assert "3\u202f000\u00a0€" in mail.text
    clock.move_to(paris(2025, 1, 15, 9, 0))
    run_jobs()
    only(smtp_inbox)
    _pay_all(admitted)
    setup_emails_sent()
    clock.move_to(paris(2025, 1, 15, 18, 0))
    run_jobs()
    assert smtp_inbox.received == []
