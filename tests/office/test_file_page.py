"""The whole file on one page, and the moves made from it, for the staff of its programme."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document, DocumentVersion, ScanStatus
from admissions.people.models import Role
from admissions.review.models import StaffNote
from admissions.workflow.submission import submit
from tests.factories import (
    IN_NORD_CAMPAIGN,
    eligible_candidate,
    load_preset,
    programme_of,
    ready_application,
    staff_member,
)
from tests.review.conftest import documents_of


@pytest.fixture
def bs(db: None) -> Iterator[Campaign]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        yield load_preset("imt-bs")


@pytest.fixture
def sent(bs: Campaign) -> Application:
    candidate = eligible_candidate()
    application = ready_application(
        candidate, bs, programme_of(bs), track="work_study", financing_mode="opco"
    )
    return submit(application, by=candidate)


def test_the_officer_reads_the_whole_file(client: Client, bs: Campaign, sent: Application) -> None:
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution))
    page = client.get(f"/en/office/files/{sent.reference}/").content.decode()
    for part in ("Identity and profile", "Education and experience", "Cover letter", "History"):
        assert part in page
    assert sent.cover_letter[:40] in page
    assert "application.submit" in page
    assert "Accept" in page  # the officer judges documents here


def test_documents_are_judged_from_the_page_until_the_file_is_complete(
    client: Client, bs: Campaign, sent: Application
) -> None:
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution))
    first = documents_of(sent)[0]
    response = client.post(
        f"/en/office/files/{sent.reference}/documents/{first.requirement_code}/",
        {"decision": "reject", "reason": "illegible", "note": "blurred"},
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == Status.INCOMPLETE
    first.refresh_from_db()
    # In the candidate's language (French here), whatever the officer's.
    assert first.staff_reason == "Scan illisible ou incomplet\u00a0: blurred"


def test_the_lead_records_the_opinion_from_the_page(
    client: Client, bs: Campaign, sent: Application
) -> None:
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    client.force_login(officer)
    for document in documents_of(sent):
        client.post(
            f"/en/office/files/{sent.reference}/documents/{document.requirement_code}/",
            {"decision": "accept"},
        )
    sent.refresh_from_db()
    assert sent.status == Status.COMPLETE
    client.force_login(staff_member(Role.PEDAGOGICAL_LEAD, institution=bs.institution))
    data = {f"score_{c.code}": "12" for c in bs.rules.review.criteria}
    client.post(f"/en/office/files/{sent.reference}/admissibility/", {**data})
    sent.refresh_from_db()
    assert sent.status == Status.COMPLETE  # no outcome chosen: nothing recorded
    client.post(
        f"/en/office/files/{sent.reference}/admissibility/", {**data, "outcome": "positive"}
    )
    sent.refresh_from_db()
    assert sent.status == Status.ADMISSIBLE
    page = client.get(f"/office/files/{sent.reference}/").content.decode()
    assert "Candidature admissible" in page


def test_notes_stay_with_the_staff(client: Client, bs: Campaign, sent: Application) -> None:
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    client.force_login(officer)
    client.post(f"/en/office/files/{sent.reference}/notes/", {"text": "Call the employer"})
    assert StaffNote.objects.get().author == officer
    assert "Call the employer" in client.get(f"/en/office/files/{sent.reference}/").content.decode()
    client.force_login(sent.candidate)
    assert client.get(f"/en/office/files/{sent.reference}/").status_code == 404
    status_page = client.get(f"/en/applications/{sent.reference}/").content.decode()
    assert "Call the employer" not in status_page


def _version(document: Document, number: int, kind: str = "pdf") -> DocumentVersion:
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        file=f"documents/{document.pk}-{number}.{kind}",
        original_filename=f"{document.requirement_code}-v{number}.{kind}",
        size=1000,
        sha256="0" * 64,
        detected_type=kind,
        content_type="application/pdf" if kind == "pdf" else "image/jpeg",
        scan_status=ScanStatus.CLEAN,
    )


def test_a_document_its_translation_and_earlier_versions_side_by_side(
    client: Client, bs: Campaign, sent: Application
) -> None:
    original = Document.objects.get(
        application=sent, requirement_code="cv", translation_of__isnull=True
    )
    translation = Document.objects.create(
        application=sent,
        requirement_code="cv",
        translation_of=original,
        state=DocumentState.ACCEPTED_ON_ARRIVAL,
    )
    old, new = _version(original, 1), _version(original, 2)
    translated = _version(translation, 1, "jpeg")
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution))
    page = client.get(f"/en/office/files/{sent.reference}/").content.decode()
    article = page.split('id="doc-cv"')[1].split("</article>")[0]
    original_side, translation_side = article.split('<div class="doc-side">')[1:3]
    # The current version of each, in the page; the earlier one behind its own preview.
    assert f"/office/preview/{new.public_id}/" in original_side
    assert "Show version 1" in original_side
    assert f"/office/preview/{old.public_id}/" in original_side
    assert "Translation" in translation_side
    assert (
        f'<img class="preview" loading="lazy" src="/en/office/preview/{translated.public_id}/"'
        in (translation_side)
    )
    # PDFs in a sandboxed frame: shown, never run.
    assert '<iframe class="preview" loading="lazy" sandbox' in original_side


def test_countries_are_named_in_the_readers_language(
    client: Client, bs: Campaign, sent: Application
) -> None:
    profile = sent.candidate.profile
    profile.nationality, profile.residence_country = "MA", "DE"
    profile.save()
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution))
    english = client.get(f"/en/office/files/{sent.reference}/").content.decode()
    french = client.get(f"/office/files/{sent.reference}/").content.decode()
    assert "<dd>Morocco</dd>" in english
    assert "<dd>Germany</dd>" in english
    assert "<dd>Maroc</dd>" in french
    assert "<dd>Allemagne</dd>" in french


def test_the_whole_file_and_its_history_link_to_each_other(
    client: Client, bs: Campaign, sent: Application
) -> None:
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution))
    whole = client.get(f"/en/office/files/{sent.reference}/").content.decode()
    history = client.get(f"/en/office/files/{sent.reference}/history/").content.decode()
    assert f'href="/en/office/files/{sent.reference}/history/"' in whole
    assert f'href="/en/office/files/{sent.reference}/"' in history
    # The history on the whole file is in words, like the history page.
    assert "Application submitted" in whole
