"""Each event of a file's life sends exactly one email, to the right person, in their language.

The emails travel for real: queued in the event's transaction, delivered once it commits by
the task, through Django's SMTP backend, to the test SMTP server on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from admissions.applications.history import transition
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.documents.models import Document, DocumentVersion
from admissions.documents.review import reject_document
from admissions.notify import decision_emails, file_emails
from admissions.notify.models import Notification, Status
from admissions.payments import ledger
from admissions.payments.models import Method
from admissions.people.models import Role, User
from admissions.rules.deadlines import PARIS
from admissions.rules.vocabulary import ChargeKind, InterviewMode
from admissions.workflow.confirmation import confirm_place, lapse_overdue
from admissions.workflow.submission import submit
from tests.factories import draft, programme_of, ready_application, staff_member
from tests.notify.conftest import committed
from tests.notify.mail import Mail, mails
from tests.services.smtp import SmtpServer
from tests.workflow.test_confirmation import send_cvec

GREETING = {"fr": "Bonjour", "en": "Hello"}
ADMITTED_AT = dt.datetime(2024, 3, 20, 18, 30, tzinfo=PARIS)


def only(inbox: SmtpServer, to: User, language: str) -> Mail:
    """The one email that arrived: to `to`, in `language`, both parts, links to the site."""
    arrived = mails(inbox.received)
    assert len(arrived) == 1, [m.subject for m in arrived]
    mail = arrived[0]
    assert mail.to == [to.email]
    assert mail.language == language
    assert GREETING[language] in mail.text
    assert GREETING[language] in mail.html
    assert mail.html.startswith("<!DOCTYPE html>")
    assert any(link.startswith(settings.SITE_URL) for link in mail.links)
    return mail


def follows(client: Client, user: User, mail: Mail) -> None:
    """Every link of the site in the email opens a page for its reader."""
    client.force_login(user)
    for path in mail.paths():
        assert client.get(path).status_code == 200, path


def with_files(application: Application) -> None:
    """Give every document of a ready file a version, as uploads would have."""
    for document in Document.objects.filter(application=application):
        version = DocumentVersion.objects.create(
            document=document,
            number=1,
            file=f"documents/{document.pk}.pdf",
            original_filename=f"{document.requirement_code}.pdf",
            size=1000,
            sha256="0" * 64,
            detected_type="pdf",
            content_type="application/pdf",
            scan_status="not_scanned",
        )
        document.current_version = version
        document.save()


@pytest.mark.parametrize("who", ["candidate", "english_candidate"])
def test_a_draft_whose_fee_is_paid_by_transfer_gets_the_bank_details(
    who: str, request: pytest.FixtureRequest, nord: Campaign, smtp_inbox: SmtpServer
) -> None:
    person: User = request.getfixturevalue(who)
    with committed():
        application = draft(person, nord, programme_of(nord, "ms-cybersecurite"))
    mail = only(smtp_inbox, person, person.preferred_language)
    assert application.reference in mail.subject
    assert "FR76 1007 1590 0000 0010 2433 444" in mail.text
    creditor = ledger.lines(application.pk)[0].creditor_reference
    assert creditor[:4] in mail.text
    assert creditor[:4] in mail.html
    follows(Client(), person, mail)


def test_a_draft_paid_by_card_gets_no_transfer_details(
    bs: Campaign, candidate: User, smtp_inbox: SmtpServer
) -> None:
    with committed():
        draft(candidate, bs, programme_of(bs, "ms-achats-supply-chain"))
    assert smtp_inbox.received == []


def test_a_payment_sends_its_receipt_once_even_if_the_provider_calls_twice(
    bs: Campaign, english_candidate: User, smtp_inbox: SmtpServer
) -> None:
    application = draft(english_candidate, bs, programme_of(bs, "ms-achats-supply-chain"))
    for _ in range(2):
        with committed():
            ledger.record_payment(
                application.pk,
                charge_kind=ChargeKind.APPLICATION_FEE,
                amount_cents=8000,
                method=Method.CARD,
                by=None,
                external_id="pi_webhook_1",
            )
    mail = only(smtp_inbox, english_candidate, "en")
    assert "€80" in mail.subject
    assert "R-000001" in mail.text


def test_submitting_sends_a_receipt_listing_the_documents(
    nord: Campaign, candidate: User, smtp_inbox: SmtpServer
) -> None:
    application = ready_application(candidate, nord, programme_of(nord, "ms-cybersecurite"))
    with_files(application)
    with committed():
        submit(application, by=candidate)
    mail = only(smtp_inbox, candidate, "fr")
    assert application.reference in mail.subject
    assert "cv.pdf" in mail.text
    assert "cv.pdf" in mail.html
    follows(Client(), candidate, mail)
    # Submitting again changes nothing, and sends nothing.
    smtp_inbox.received.clear()
    with committed():
        submit(application, by=candidate)
    assert smtp_inbox.received == []


def test_a_rejected_document_tells_why_and_where_to_replace_it(
    nord: Campaign, english_candidate: User, smtp_inbox: SmtpServer
) -> None:
    application = ready_application(english_candidate, nord, programme_of(nord, "ms-cybersecurite"))
    with_files(application)
    submit(application, by=english_candidate)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    document = Document.objects.filter(application=application).first()
    assert document is not None
    with committed():
        reject_document(document, by=officer, reason="The scan is cut off at the bottom.")
    mail = only(smtp_inbox, english_candidate, "en")
    assert "The scan is cut off at the bottom." in mail.text
    assert f"#doc-{document.requirement_code}" in mail.text
    follows(Client(), english_candidate, mail)


@pytest.fixture
def admitted(nord: Campaign, candidate: User, clock: time_machine.Coordinates) -> Application:
    application = ready_application(candidate, nord, programme_of(nord, "ms-cybersecurite"))
    submit(application, by=candidate)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    for step in ("mark_complete", "record_admissible", "place_on_agenda"):
        transition(application, action=step, by=officer)
    clock.move_to(ADMITTED_AT)
    return application


def test_an_offered_place_says_by_when_to_confirm_and_what_to_pay(
    admitted: Application, candidate: User, smtp_inbox: SmtpServer
) -> None:
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=admitted.programme.institution)
    with committed():
        transition(admitted, action="publish_admitted", by=officer)
    mail = only(smtp_inbox, candidate, "fr")
    assert "4 avril 2024" in mail.subject
    assert "CVEC" in mail.text
    follows(Client(), candidate, mail)


def test_confirming_then_lapsing_each_send_one_email(
    admitted: Application,
    candidate: User,
    other_admitted: Application,
    smtp_inbox: SmtpServer,
    clock: time_machine.Coordinates,
) -> None:
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=admitted.programme.institution)
    with committed():
        transition(admitted, action="publish_admitted", by=officer)
    smtp_inbox.received.clear()
    for line in ledger.lines(admitted.pk):
        if line.outstanding > 0:
            ledger.record_payment(
                admitted.pk,
                charge_kind=ChargeKind(line.charge_kind),
                instalment=line.instalment,
                amount_cents=line.outstanding,
                method=Method.BANK_TRANSFER,
                by=None,
            )
    send_cvec(admitted)
    with committed():
        confirm_place(admitted, by=candidate)
    only(smtp_inbox, candidate, "fr")
    smtp_inbox.received.clear()
    # A rulebook that releases a place as soon as its window ends.
    campaign = other_admitted.campaign
    campaign.rulebook["confirmation"]["after_window"] = "release_at_once"
    campaign.save()
    clock.move_to(dt.datetime(2024, 4, 5, 0, 0, tzinfo=PARIS))
    with committed():
        assert lapse_overdue() == [other_admitted.reference]
    mail = only(smtp_inbox, other_admitted.candidate, "en")
    assert "4 April 2024" in mail.text


@pytest.fixture
def other_admitted(admitted: Application, english_candidate: User, nord: Campaign) -> Application:
    application = ready_application(english_candidate, nord, programme_of(nord, "ms-cybersecurite"))
    submit(application, by=english_candidate)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    for step in ("mark_complete", "record_admissible", "place_on_agenda"):
        transition(application, action=step, by=officer)
    transition(application, action="publish_admitted", by=officer)
    return application


# The emails whose services come with the review, interview and jury screens: called here
# as those services will call them, each in its transaction.
AT = dt.datetime(2024, 4, 9, 10, 30, tzinfo=PARIS)
LATER = [
    ("file_complete", lambda a: file_emails.send_file_complete(a, event="t"), []),
    ("admissible", lambda a: decision_emails.send_admissible(a, event="t"), ["Avis favorable"]),
    (
        "not_admissible",
        lambda a: decision_emails.send_not_admissible(a, event="t"),
        ["Avis défavorable"],
    ),
    (
        "interview_invitation",
        lambda a: decision_emails.send_interview_invitation(
            a,
            event="t",
            at=AT,
            mode=InterviewMode.VIDEO,
            minutes=30,
            where="https://visio.example.org/x",
        ),
        ["9 avril 2024", "10:30", "vidéo", "https://visio.example.org/x"],
    ),
    (
        "interview_changed",
        lambda a: decision_emails.send_interview_changed(
            a, event="t", at=AT, mode=InterviewMode.PHONE, minutes=20, where="+33 3 27 71 20 30"
        ),
        ["téléphone", "+33 3 27 71 20 30"],
    ),
    (
        "interview_reminder",
        lambda a: decision_emails.send_interview_reminder(
            a,
            event="t",
            at=AT,
            mode=InterviewMode.VIDEO,
            minutes=30,
            where="https://visio.example.org/x",
        ),
        ["9 avril 2024"],
    ),
    (
        "decision_admitted",
        lambda a: decision_emails.send_decision_admitted(a, event="t"),
        ["Admis", "ne peut pas donner suite à une demande de recours"],
    ),
    (
        "decision_admitted_conditionally",
        lambda a: decision_emails.send_decision_admitted_conditionally(
            a, event="t", condition="Envoyez votre diplôme de master."
        ),
        ["Envoyez votre diplôme de master."],
    ),
    (
        "decision_waitlisted",
        lambda a: decision_emails.send_decision_waitlisted(a, event="t", rank=3),
        ["3"],
    ),
    (
        "decision_not_admitted",
        lambda a: decision_emails.send_decision_not_admitted(a, event="t"),
        ["Non admis"],
    ),
    (
        "waitlist_promotion",
        lambda a: decision_emails.send_waitlist_promotion(
            a, event="t", confirm_by=dt.date(2024, 6, 20)
        ),
        ["20 juin 2024"],
    ),
]


@pytest.mark.parametrize(("kind", "send", "words"), LATER, ids=[row[0] for row in LATER])
def test_the_emails_of_the_review_and_the_jury_are_ready(
    kind: str,
    send: object,
    words: list[str],
    nord: Campaign,
    candidate: User,
    smtp_inbox: SmtpServer,
) -> None:
    application = draft(candidate, nord, programme_of(nord, "ms-cybersecurite"))
    with committed():
        send(application)  # type: ignore[operator]
    mail = only(smtp_inbox, candidate, "fr")
    for word in words:
        assert word in mail.text, (word, mail.text)
    row = Notification.objects.get(kind=kind)
    assert row.status == Status.SENT
    follows(Client(), candidate, mail)
