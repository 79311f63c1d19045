"""What the application pages and the submission checks read about the documents."""

from __future__ import annotations

import datetime as dt

from admissions.applications.models import Application
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document
from admissions.documents.status import (
    application_checklist,
    checklist_with_states,
    missing_requirements,
)
from admissions.people.profile import CandidateProfile
from tests.documents import corpus
from tests.documents.conftest import Upload


def test_the_checklist_follows_the_candidate(application: Application) -> None:
    codes = [item.code for item in application_checklist(application)]
    assert codes == ["cv", "photo", "piece-identite", "diplome"]  # not the school's quote


def test_without_a_judged_profile_only_what_everyone_gives(application: Application) -> None:
    CandidateProfile.objects.filter(user=application.candidate).update(nationality="")
    codes = [item.code for item in application_checklist(application)]
    assert codes == ["cv", "photo", "piece-identite"]  # the diploma depends on the profile


def test_everything_is_missing_at_first(application: Application) -> None:
    assert missing_requirements(application) == ["cv", "photo", "piece-identite", "diplome"]


def test_only_accepted_files_count(upload: Upload, application: Application) -> None:
    upload("cv", corpus.pdf())
    upload("photo", corpus.png(), "photo.jpg")  # refused
    upload("piece-identite", corpus.pdf(), valid_until=dt.date(2030, 1, 1))
    result = upload("diplome", corpus.pdf())
    Document.objects.filter(pk=result.document.pk).update(state=DocumentState.REJECTED_BY_STAFF)
    assert missing_requirements(application) == ["photo", "diplome"]


def test_rows_give_state_and_document(upload: Upload, application: Application) -> None:
    upload("photo", corpus.jpeg(40, 40), "photo.jpg")
    rows = checklist_with_states(application, application_checklist(application))
    states = {row.code: row.state for row in rows}
    assert states == {
        "cv": DocumentState.MISSING,
        "photo": DocumentState.REFUSED_ON_ARRIVAL,
        "piece-identite": DocumentState.MISSING,
        "diplome": DocumentState.MISSING,
    }
    photo = next(row for row in rows if row.code == "photo")
    assert photo.document is not None
    assert "300" in photo.document.refusal_message


def test_a_given_list_of_items_is_used_as_is(upload: Upload, application: Application) -> None:
    upload("cv", corpus.pdf())
    items = [item for item in application_checklist(application) if item.code in ("cv", "photo")]
    assert missing_requirements(application, items) == ["photo"]
