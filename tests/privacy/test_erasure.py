"""A candidate asks for erasure: what may go goes at once, what the law keeps is kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import time_machine
from django.test import Client, TestCase
from django.urls import reverse

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign, Programme
from admissions.core.errors import NotAllowed
from admissions.documents.models import Document, DocumentVersion
from admissions.notify.models import Notification
from admissions.payments.models import LedgerEntry
from admissions.people.models import User
from admissions.people.profile import CandidateProfile
from admissions.privacy.erasure import erase_file, erased_email, request_erasure
from admissions.privacy.models import Cause, ErasedAccount, ErasedFile, ErasureRequest
from admissions.workflow.messages import Upload as MessageUpload
from admissions.workflow.messages import post_message
from admissions.workflow.models import Message, MessageAttachment
from tests.documents import corpus
from tests.documents.conftest import Upload
from tests.factories import pay_fee
from tests.workflow.places_helpers import NORD_PROGRAMME, decided

PASSWORD = "correct horse battery"


def stored_files(media: Path) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}


def filled(upload: Upload, application: Application, candidate: User, officer: User) -> Application:
    upload("cv", corpus.pdf(text="first"))
    upload("cv", corpus.pdf(text="second"))
    upload("photo", corpus.jpeg(), "photo.jpg")
    Application.objects.filter(pk=application.pk).update(
        cover_letter="Ma lettre", professional_project="Mon projet"
    )
    pay_fee(application)
    post_message(
        application,
        by=officer,
        body="Bonjour Camille",
        attachments=[MessageUpload(io.BytesIO(corpus.pdf(text="att")), "a.pdf")],
    )
    return application


def test_a_file_not_admitted_is_erased_at_once_and_the_account_with_it(
    upload: Upload,
    application: Application,
    candidate: User,
    officer: User,
    media: Path,
    client: Client,
) -> None:
    filled(upload, application, candidate, officer)
    kept_keys = {
        *DocumentVersion.objects.filter(document__application=application).values_list(
            "file", flat=True
        ),
        *MessageAttachment.objects.filter(message__application=application).values_list(
            "file", flat=True
        ),
    }
    assert len(kept_keys) == 4
    assert kept_keys <= stored_files(media)
    programme_id, campaign_id = application.programme_id, application.campaign_id
    old_email = candidate.email
    with TestCase.captureOnCommitCallbacks(execute=True):
        outcome = request_erasure(candidate)
    assert outcome.erased == [application.reference]
    assert outcome.kept == []
    assert [k.reference for k in outcome.accounting] == [application.reference]
    assert outcome.accounting[0].until is not None  # ten years after the fee
    assert outcome.account_erased

    application.refresh_from_db()
    # The statistics' facts stay; the draft was withdrawn before its data went.
    assert application.status == Status.WITHDRAWN
    assert (application.programme_id, application.campaign_id) == (programme_id, campaign_id)
    assert application.cover_letter == application.professional_project == ""
    assert not Document.objects.filter(application=application).exists()
    assert not DocumentVersion.objects.filter(document__application=application).exists()
    assert not MessageAttachment.objects.filter(message__application=application).exists()
    assert set(Message.objects.filter(application=application).values_list("body", flat=True)) == {
        ""
    }
    assert kept_keys.isdisjoint(stored_files(media))  # every stored byte of the file is gone
    assert LedgerEntry.objects.filter(application=application).exists()  # accounting stays
    actions = list(
        ApplicationEvent.objects.filter(application=application).values_list("action", flat=True)
    )
    assert "privacy.erasure_requested" in actions
    assert "privacy.erased" in actions

    # No email about the file is left to send, nor any naming the old address.
    assert not Notification.objects.filter(application=application, status="queued").exists()
    assert not Notification.objects.filter(to_address=old_email).exists()
    assert Notification.objects.filter(application=application).exists()

    candidate.refresh_from_db()
    assert candidate.email == erased_email(candidate.pk)
    assert not candidate.is_active
    assert not candidate.has_usable_password()
    assert not CandidateProfile.objects.filter(user=candidate).exists()
    assert ErasedAccount.objects.filter(user=candidate, cause=Cause.REQUEST).exists()
    assert ErasureRequest.objects.filter(user=candidate).count() == 1


def test_an_admitted_file_is_kept_until_its_period_ends(
    campaign: Campaign, clock: time_machine.Coordinates
) -> None:
    admitted = decided(campaign, NORD_PROGRAMME, "publish_admitted")
    other = Programme.objects.filter(institution=campaign.institution).exclude(slug=NORD_PROGRAMME)
    refused = decided(campaign, other.order_by("pk")[0].slug, "publish_not_admitted")
    # One candidate with both files.
    Application.objects.filter(pk=refused.pk).update(candidate=admitted.candidate)
    candidate = admitted.candidate
    email = candidate.email
    with TestCase.captureOnCommitCallbacks(execute=True):
        outcome = request_erasure(candidate)
    assert outcome.erased == [refused.reference]
    [kept] = outcome.kept
    assert kept.reference == admitted.reference
    assert kept.until is not None
    assert kept.until.year == campaign.closes_on.year + 5
    assert not outcome.account_erased
    assert ErasedFile.objects.filter(application=refused).exists()
    assert not ErasedFile.objects.filter(application=admitted).exists()
    candidate.refresh_from_db()
    assert candidate.email == email  # the admitted file needs its candidate's name
    assert not candidate.is_active  # but nobody signs in with the account any more
    admitted.refresh_from_db()
    assert admitted.status == Status.ADMITTED
    assert admitted.cover_letter  # kept with the file


def test_erasing_a_file_twice_changes_nothing_the_second_time(
    upload: Upload, application: Application, candidate: User, officer: User
) -> None:
    filled(upload, application, candidate, officer)
    assert erase_file(application, cause=Cause.REQUEST)
    events = ApplicationEvent.objects.filter(application=application).count()
    assert not erase_file(application, cause=Cause.REQUEST)
    assert ApplicationEvent.objects.filter(application=application).count() == events


def test_the_page_asks_for_confirmation_then_signs_out_and_says_what_was_done(
    client: Client, upload: Upload, application: Application, candidate: User
) -> None:
    upload("cv", corpus.pdf())
    candidate.set_password(PASSWORD)
    candidate.save()
    email = candidate.email
    client.force_login(candidate)
    page = client.get(reverse("privacy:my_data"))
    assert application.reference in page.content.decode()
    refused = client.post(reverse("privacy:erase"), {}, HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 422
    assert "Cochez la case pour confirmer" in refused.content.decode()
    assert Document.objects.filter(application=application).exists()  # nothing erased

    done = client.post(reverse("privacy:erase"), {"understood": "on"})
    assert done.status_code == 302
    assert done["Location"] == reverse("privacy:erased")
    summary = client.get(reverse("privacy:erased"))
    text = summary.content.decode()
    assert application.reference in text
    assert client.get(reverse("privacy:my_data")).status_code == 302  # signed out
    assert not client.login(email=email, password=PASSWORD)
    signin = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert signin.status_code in (200, 302)


def test_the_page_speaks_french(client: Client, candidate: User) -> None:
    client.force_login(candidate)
    page = client.get("/privacy/my-data/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Mes données" in page.content.decode()
    notice = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Politique de confidentialité" in notice.content.decode()
    assert "CNIL" in notice.content.decode()


def test_a_staff_account_is_not_erased_by_its_holder(client: Client, officer: User) -> None:
    with pytest.raises(NotAllowed):
        request_erasure(officer)
    client.force_login(officer)
    answer = client.post(reverse("privacy:erase"), {"understood": "on"})
    assert answer.status_code == 422
    officer.refresh_from_db()
    assert officer.is_active
    assert not ErasedAccount.objects.filter(user=officer).exists()
