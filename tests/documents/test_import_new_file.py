"""Staff open a file on a candidate's behalf from a ZIP: everything, or nothing at all."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation
from pytest_django.fixtures import Settings

from admissions.applications.errors import DuplicateApplicationError
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign, Programme
from admissions.core.errors import NotAllowed
from admissions.documents.bundle import SUMMARY_NAME, write_bundle
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document, DocumentVersion
from admissions.payments.models import LedgerEntry
from admissions.people.models import CandidateProfile, Role, User
from admissions.workflow.newfile import Candidate, NewFile, create_file_from_zip
from tests.documents import corpus
from tests.documents.conftest import Upload, multipart_with_name, stored
from tests.factories import staff_member
from tests.services.smtp import Received, SmtpServer

NEW_EMAIL = "lea.martin@example.org"
PASSWORD = "A long passphrase for Lea 9"


def good_archive() -> bytes:
    return corpus.zip_of(
        {
            "dossier/cv.pdf": corpus.pdf(pages=2),
            "dossier/photo.jpg": corpus.jpeg(),
            "dossier/piece-identite.2031-05-31.pdf": corpus.pdf(),
        }
    )


def new_file(
    officer: User,
    campaign: Campaign,
    programme: Programme,
    data: bytes,
    *,
    email: str = NEW_EMAIL,
    language: str = "en",
) -> NewFile:
    # The emails leave once the transaction commits (through the outbox).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return create_file_from_zip(
            by=officer,
            campaign=campaign,
            programme=programme,
            track="full_time",
            financing_mode="personnel",
            candidate=Candidate(
                email=email, given_names="Léa", family_name="Martin", language=language
            ),
            archive=io.BytesIO(data),
        )


def counts() -> dict[str, int]:
    models: list[Any] = [
        User,
        EmailAddress,
        CandidateProfile,
        Application,
        ApplicationEvent,
        LedgerEntry,
        Document,
        DocumentVersion,
    ]
    return {model.__name__: model.objects.count() for model in models}


def opened(inbox: SmtpServer) -> list[Received]:
    """The emails telling the candidate of the file (the fee's transfer details aside)."""
    return [m for m in inbox.received if "/documents/" in body(m)]


def body(received: Received) -> str:
    message = received.message
    for part in message.walk() if message.is_multipart() else [message]:
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")


def page_url() -> str:
    with translation.override("fr"):
        return reverse("documents:import_new")


def test_a_new_candidate_gets_an_account_a_draft_and_a_working_link(
    officer: User,
    campaign: Campaign,
    programme: Programme,
    media: Path,
    smtp_inbox: SmtpServer,
) -> None:
    created = new_file(officer, campaign, programme, good_archive())

    assert created.ok, created.report.problems
    assert created.account_created
    candidate = User.objects.get(email=NEW_EMAIL)
    assert not candidate.has_usable_password()
    assert (candidate.first_name, candidate.last_name) == ("Léa", "Martin")
    assert candidate.profile.family_name == "Martin"  # type: ignore[attr-defined]
    address = EmailAddress.objects.get(user=candidate)
    assert (address.email, address.verified, address.primary) == (NEW_EMAIL, False, True)

    application = created.application
    assert application is not None
    assert application.candidate == candidate
    assert application.status == Status.DRAFT
    documents = Document.objects.filter(application=application)
    assert sorted(d.requirement_code for d in documents) == ["cv", "photo", "piece-identite"]
    assert {d.state for d in documents} == {DocumentState.ACCEPTED_ON_ARRIVAL}
    assert len(stored(media, "documents")) == 3

    events = ApplicationEvent.objects.filter(application=application)
    by_staff = events.get(action="application.created_by_staff")
    assert by_staff.actor == officer
    assert by_staff.details["account_created"] is True
    assert events.get(action="document.imported").actor == officer

    assert {tuple(m.recipients) for m in smtp_inbox.received} == {(NEW_EMAIL,)}
    [mail] = opened(smtp_inbox)
    text = body(mail)
    assert application.reference in text
    found = re.search(r"https?://[^/\s]+(/\S*password/reset/key/\S+/)", text)
    assert found, text

    cache.clear()  # allauth's rate limits live in the cache, which outlives a test
    client = Client()
    form = client.get(found.group(1), follow=True)
    assert "Choose a new password" in form.content.decode()
    action = form.redirect_chain[-1][0] if form.redirect_chain else found.group(1)
    done = client.post(action, {"password1": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302
    candidate.refresh_from_db()
    assert candidate.check_password(PASSWORD)


def test_an_existing_account_is_reused(
    officer: User,
    campaign: Campaign,
    programme: Programme,
    candidate: User,
    smtp_inbox: SmtpServer,
) -> None:
    users = User.objects.count()
    created = new_file(officer, campaign, programme, good_archive(), email=candidate.email.upper())
    assert created.ok, created.report.problems
    assert not created.account_created
    assert User.objects.count() == users
    assert created.application is not None
    assert created.application.candidate == candidate
    assert candidate.has_usable_password()
    [mail] = opened(smtp_inbox)
    assert mail.recipients == [candidate.email]
    assert "password/reset/key" not in body(mail)


REFUSED: list[tuple[str, Callable[[], bytes], str]] = [
    ("zip slip", corpus.zip_slip, "unsafe_path"),
    ("bomb ratio", corpus.zip_bomb, "zip_bomb"),
    (
        "total size",
        lambda: corpus.zip_of({"cv.pdf": corpus.pdf(pages=3), "diplome.pdf": corpus.pdf(pages=3)}),
        "total_too_large",
    ),
    ("nested archive", corpus.nested_zip, "nested_archive"),
    ("disallowed type", lambda: corpus.zip_of({"cv.pdf": corpus.docx()}), "wrong_type"),
]


@pytest.mark.parametrize(("make", "code"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_a_refused_archive_creates_nothing(
    make: Callable[[], bytes],
    code: str,
    officer: User,
    campaign: Campaign,
    programme: Programme,
    media: Path,
    settings: Settings,
    smtp_inbox: SmtpServer,
) -> None:
    settings.DOCUMENTS_IMPORT_MAX_TOTAL_BYTES = 2_000 if code == "total_too_large" else 200 << 20
    before = counts()
    created = new_file(officer, campaign, programme, make())
    assert not created.ok
    assert code in [problem.code for problem in created.report.problems]
    assert counts() == before
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    assert stored(media, "documents") == stored(media, "incoming") == []
    assert smtp_inbox.received == []


def test_a_failure_after_the_import_leaves_nothing_in_storage(
    officer: User,
    campaign: Campaign,
    programme: Programme,
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from admissions.documents import history

    def broken_record(*args: Any, **kwargs: Any) -> None:
        if kwargs["action"] == "application.created_by_staff":
            # The import has written its files by now.
            assert len(stored(media, "documents")) == 3
            raise RuntimeError("power cut")
        real(*args, **kwargs)

    real = history.record
    monkeypatch.setattr(history, "record", broken_record)
    before = counts()
    with pytest.raises(RuntimeError):
        new_file(officer, campaign, programme, good_archive())
    assert counts() == before
    assert stored(media, "documents") == []


def test_a_second_file_to_the_same_programme_is_refused(
    officer: User, campaign: Campaign, programme: Programme, application: Application
) -> None:
    before = counts()
    with pytest.raises(DuplicateApplicationError) as refused:
        new_file(officer, campaign, programme, good_archive(), email=application.candidate.email)
    assert application.reference in refused.value.message
    assert counts() == before


def test_staff_of_another_programme_may_not(
    foreign_officer: User, interviewer: User, campaign: Campaign, programme: Programme
) -> None:
    before = counts()
    for outsider in (foreign_officer, interviewer):
        with pytest.raises(NotAllowed):
            new_file(outsider, campaign, programme, good_archive())
    assert counts() == before


def test_a_downloaded_bundle_imports_again_without_its_summary(
    upload: Upload,
    application: Application,
    officer: User,
    campaign: Campaign,
    programme: Programme,
) -> None:
    upload("cv", corpus.pdf())
    upload("photo", corpus.jpeg(), "photo.jpg")
    upload("piece-identite", corpus.pdf(), valid_until=dt.date(2031, 5, 31))
    out = io.BytesIO()
    write_bundle(application, out)

    created = new_file(officer, campaign, programme, out.getvalue())

    assert created.ok, created.report.problems
    assert created.report.ignored == [SUMMARY_NAME]
    documents = Document.objects.filter(application=created.application)
    assert sorted(d.requirement_code for d in documents) == ["cv", "photo", "piece-identite"]
    assert documents.get(requirement_code="piece-identite").valid_until == dt.date(2031, 5, 31)


# The page -----------------------------------------------------------------------------------


def test_the_page_opens_the_file(
    client: Client,
    officer: User,
    campaign: Campaign,
    programme: Programme,
    smtp_inbox: SmtpServer,
) -> None:
    client.force_login(officer)
    page = client.get(page_url())
    assert page.status_code == 200
    offer = f"{campaign.pk}-{programme.pk}"
    assert f'value="{offer}"' in page.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            page_url(),
            {
                "offer": offer,
                "track": "full_time",
                "financing_mode": "personnel",
                "email": NEW_EMAIL,
                "given_names": "Léa",
                "family_name": "Martin",
                "language": "fr",
                "archive": SimpleUploadedFile("dossier.zip", good_archive()),
            },
        )
    application = Application.objects.get(candidate__email=NEW_EMAIL)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/documents/{application.reference}/")
    assert Document.objects.filter(application=application).count() == 3
    assert len(opened(smtp_inbox)) == 1


def test_the_page_shows_the_report_of_a_refused_archive(
    client: Client, officer: User, campaign: Campaign, programme: Programme
) -> None:
    client.force_login(officer)
    before = counts()
    response = client.post(
        page_url(),
        {
            "offer": f"{campaign.pk}-{programme.pk}",
            "track": "full_time",
            "financing_mode": "personnel",
            "email": NEW_EMAIL,
            "given_names": "Léa",
            "family_name": "Martin",
            "language": "en",
            "archive": SimpleUploadedFile("dossier.zip", corpus.zip_slip()),
        },
    )
    assert response.status_code == 422
    assert "../../etc/cron.d/cv.pdf" in response.content.decode()
    assert counts() == before


def test_the_page_says_why_a_second_file_is_refused(
    client: Client,
    officer: User,
    campaign: Campaign,
    programme: Programme,
    application: Application,
) -> None:
    client.force_login(officer)
    response = client.post(
        page_url(),
        {
            "offer": f"{campaign.pk}-{programme.pk}",
            "track": "full_time",
            "financing_mode": "personnel",
            "email": application.candidate.email,
            "given_names": "Camille",
            "family_name": "Durand",
            "language": "en",
            "archive": SimpleUploadedFile("dossier.zip", good_archive()),
        },
    )
    assert response.status_code == 400
    assert application.reference in response.content.decode()
    assert Application.objects.count() == 1


def test_an_archive_name_of_5000_characters_is_told_in_the_page(
    client: Client, officer: User, campaign: Campaign, programme: Programme
) -> None:
    client.force_login(officer)
    body = multipart_with_name(
        "archive",
        "z" * 5000 + ".zip",
        good_archive(),
        offer=f"{campaign.pk}-{programme.pk}",
        track="full_time",
        financing_mode="personnel",
        email=NEW_EMAIL,
        given_names="Léa",
        family_name="Martin",
        language="en",
    )
    response = client.post(
        "/en" + page_url(), data=body, content_type="multipart/form-data; boundary=form"
    )
    assert response.status_code == 400
    assert "its name is too long" in response.content.decode()
    assert not Application.objects.exists()
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_others_do_not_see_the_page_or_the_programme(
    client: Client,
    candidate: User,
    interviewer: User,
    foreign_officer: User,
    campaign: Campaign,
    programme: Programme,
) -> None:
    for outsider in (candidate, interviewer):
        client.force_login(outsider)
        assert client.get(page_url()).status_code == 404
    client.force_login(foreign_officer)
    page = client.get(page_url()).content.decode()
    assert f'value="{campaign.pk}-{programme.pk}"' not in page
    response = client.post(
        page_url(),
        {
            "offer": f"{campaign.pk}-{programme.pk}",
            "track": "full_time",
            "financing_mode": "personnel",
            "email": NEW_EMAIL,
            "given_names": "Léa",
            "family_name": "Martin",
            "language": "en",
            "archive": SimpleUploadedFile("dossier.zip", good_archive()),
        },
    )
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_an_institution_admin_may(campaign: Campaign, programme: Programme) -> None:
    admin = staff_member(Role.INSTITUTION_ADMIN, institution=programme.institution)
    assert new_file(admin, campaign, programme, good_archive()).ok


def test_a_file_is_never_opened_for_a_staff_account(
    officer: User, interviewer: User, campaign: Campaign, programme: Programme
) -> None:
    before = counts()
    for staff in (interviewer, officer):
        with pytest.raises(NotAllowed) as refused:
            new_file(officer, campaign, programme, good_archive(), email=staff.email.upper())
        assert refused.value.details == {"field": "email"}
    assert counts() == before
