"""Messages on a file: each side writes, the other is told by email without the words."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation
from pytest_django.fixtures import Settings

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.core.errors import NotAllowed
from admissions.people.models import Role, User
from admissions.workflow import messages
from admissions.workflow.models import Message
from tests.documents import corpus
from tests.factories import draft, programme_of, staff_member
from tests.notify.mail import mails
from tests.services.smtp import SmtpServer

SECRET = "Mon numéro de sécurité sociale est 2 95 05 75 123 456 78."


@pytest.fixture
def application(bs: Campaign, candidate: User) -> Application:
    return draft(candidate, bs, programme_of(bs, "ms-achats-supply-chain"))


@pytest.fixture
def officer(bs: Campaign) -> User:
    user = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    user.preferred_language = "en"
    user.save()
    return user


def committed() -> object:
    return TestCase.captureOnCommitCallbacks(execute=True)


def in_english(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def test_a_candidate_s_message_reaches_the_officers_without_its_words(
    application: Application, candidate: User, officer: User, smtp_inbox: SmtpServer
) -> None:
    with committed():  # type: ignore[attr-defined]
        message = messages.post_message(
            application,
            by=candidate,
            body=SECRET,
            attachments=[messages.Upload(io.BytesIO(corpus.pdf()), "attestation.pdf")],
        )
    assert not message.from_staff
    [attached] = message.attachments.all()
    assert (attached.original_filename, attached.detected_type) == ("attestation.pdf", "pdf")
    [mail] = mails(smtp_inbox.received)
    assert mail.to == [officer.email]
    assert mail.language == "en"
    assert SECRET not in mail.text
    assert SECRET not in mail.html
    assert application.reference in mail.subject
    assert any(
        path.endswith(f"/office/files/{application.reference}/messages/") for path in mail.paths()
    )
    assert application.events.filter(action="message.posted").count() == 1
    assert messages.unread_for_staff(officer) == {application.pk: 1}


def test_the_office_answers_and_the_candidate_is_told(
    application: Application, candidate: User, officer: User, smtp_inbox: SmtpServer
) -> None:
    messages.post_message(application, by=candidate, body="Bonjour, une question.")
    client = Client()
    client.force_login(officer)
    page = client.get(in_english("office:file_messages", application.reference))
    assert "Bonjour, une question." in page.content.decode()
    assert messages.unread_for_staff(officer) == {}
    with committed():  # type: ignore[attr-defined]
        response = client.post(
            in_english("office:file_messages", application.reference),
            {"body": "Votre attestation est bien reçue."},
        )
    assert response.status_code == 302
    [mail] = mails(smtp_inbox.received)
    assert mail.to == [candidate.email]
    assert mail.language == "fr"
    assert "Votre attestation" not in mail.text
    assert messages.unread_by_candidate(application) == 1
    candidate_client = Client()
    candidate_client.force_login(candidate)
    status_page = candidate_client.get(
        in_english("portal:application_status", application.reference)
    ).content.decode()
    assert "1 new" in status_page
    thread = candidate_client.get(mail.paths()[0])
    assert "Votre attestation est bien reçue." in thread.content.decode()
    assert messages.unread_by_candidate(application) == 0


def test_a_refused_attachment_refuses_the_message_and_says_why(
    application: Application, candidate: User, smtp_inbox: SmtpServer
) -> None:
    client = Client()
    client.force_login(candidate)
    with committed():  # type: ignore[attr-defined]
        response = client.post(
            in_english("portal:application_messages", application.reference),
            {
                "body": "Voici mon CV.",
                "attachments": SimpleUploadedFile("cv.pdf", corpus.docx()),
            },
        )
    assert response.status_code == 422
    page = response.content.decode()
    assert "“cv.pdf”" in page
    assert "Voici mon CV." in page  # what was typed is kept
    assert not Message.objects.exists()
    assert smtp_inbox.received == []


def test_an_infected_attachment_is_refused(
    application: Application, candidate: User, clamd: str, settings: Settings
) -> None:
    settings.CLAMD_ADDRESS = clamd
    with translation.override("en"), pytest.raises(messages.MessageRefused) as refused:
        messages.post_message(
            application,
            by=candidate,
            body="Voici le fichier.",
            attachments=[messages.Upload(io.BytesIO(corpus.eicar()), "scan.pdf")],
        )
    assert "antivirus" in refused.value.message
    assert not Message.objects.exists()


def test_an_empty_or_too_long_message_is_refused(application: Application, candidate: User) -> None:
    with pytest.raises(messages.MessageRefused):
        messages.post_message(application, by=candidate, body="   ")
    with pytest.raises(messages.MessageRefused):
        messages.post_message(application, by=candidate, body="x" * (messages.MAX_BODY + 1))


def test_strangers_neither_read_nor_write(
    application: Application, candidate: User, other_candidate: User, nord: Campaign
) -> None:
    message = messages.post_message(
        application,
        by=candidate,
        body="Avec pièce jointe.",
        attachments=[messages.Upload(io.BytesIO(corpus.pdf()), "piece.pdf")],
    )
    outsider = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    for user in (other_candidate, outsider):
        with pytest.raises(NotAllowed):
            messages.post_message(application, by=user, body="Intrusion")
    download = reverse("portal:message_attachment", args=[message.attachments.get().public_id])
    for user, status in ((other_candidate, 404), (outsider, 404), (candidate, 200)):
        client = Client()
        client.force_login(user)
        assert client.get(download).status_code == status
    client = Client()
    client.force_login(outsider)
    assert client.get(in_english("office:file_messages", application.reference)).status_code == 404
    client.force_login(other_candidate)
    assert (
        client.get(in_english("portal:application_messages", application.reference)).status_code
        == 404
    )


def test_the_office_sees_unread_counts(
    application: Application, candidate: User, officer: User, bs: Campaign
) -> None:
    messages.post_message(application, by=candidate, body="Première question.")
    messages.post_message(application, by=candidate, body="Seconde question.")
    client = Client()
    client.force_login(officer)
    home = client.get(in_english("office:home")).content.decode()
    assert "2 unread" in home
    inbox = client.get(in_english("office:messages")).content.decode()
    assert application.reference in inbox
    # Another officer's reading is their own.
    colleague = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    client.get(in_english("office:file_messages", application.reference))
    assert messages.unread_for_staff(officer) == {}
    assert messages.unread_for_staff(colleague) == {application.pk: 2}
