"""Importing a ZIP received by email: all or nothing, and a clear report of what is wrong."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.documents import services
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document, DocumentVersion
from admissions.documents.zipimport import ImportReport, import_zip
from admissions.people.models import User
from tests.documents import corpus
from tests.documents.conftest import stored
from tests.documents.corpus import ARCHIVES, ArchiveSample


def run(application: Application, data: bytes, by: User) -> ImportReport:
    return import_zip(application, io.BytesIO(data), by=by)


def good_archive() -> bytes:
    return corpus.zip_of(
        {
            "dossier/CV.pdf": corpus.pdf(pages=2),
            "dossier/cv.translation.pdf": corpus.pdf(text="translation"),
            "dossier/photo.jpg": corpus.jpeg(),
            "dossier/piece-identite.2031-05-31.pdf": corpus.pdf(),
            "__MACOSX/dossier/._cv.pdf": b"\x00\x05\x16\x07",
            "dossier/.DS_Store": b"\x00\x00\x00\x01Bud1",
        }
    )


def test_a_good_archive_imports_every_document(
    application: Application,
    officer: User,
    media: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = run(application, good_archive(), officer)
    assert report.ok, report.problems
    assert sorted(name for name, _version in report.imported) == [
        "dossier/CV.pdf",
        "dossier/cv.translation.pdf",
        "dossier/photo.jpg",
        "dossier/piece-identite.2031-05-31.pdf",
    ]
    assert len(report.ignored) == 2
    cv = Document.objects.get(requirement_code="cv", translation_of=None)
    assert cv.foreign_language
    assert cv.translation.state == DocumentState.ACCEPTED_ON_ARRIVAL  # type: ignore[attr-defined]
    identity = Document.objects.get(requirement_code="piece-identite")
    assert identity.valid_until == dt.date(2031, 5, 31)
    assert all(v.uploaded_by == officer for v in DocumentVersion.objects.all())
    assert len(stored(media, "documents")) == 4
    assert stored(media, "incoming") == []
    event = ApplicationEvent.objects.get(action="document.imported")
    assert event.actor == officer
    assert len(event.details["entries"]) == 4


@pytest.mark.parametrize("sample", ARCHIVES, ids=lambda sample: sample.name)
def test_a_bad_archive_imports_nothing(
    sample: ArchiveSample, application: Application, officer: User, media: Path
) -> None:
    report = run(application, sample.make(), officer)
    assert not report.ok
    assert not report.imported
    codes = [problem.code for problem in report.problems]
    assert sample.problem in codes, report.problems
    assert all(problem.message for problem in report.problems)
    assert not DocumentVersion.objects.exists()
    assert not Document.objects.exists()
    assert stored(media, "documents") == stored(media, "incoming") == []


def test_one_bad_file_among_good_ones_stops_the_whole_import(
    application: Application, officer: User
) -> None:
    archive = corpus.zip_of(
        {
            "cv.pdf": corpus.pdf(),
            "photo.jpg": corpus.png(),
            "diplome.pdf": corpus.javascript_open_action_pdf(),
        }
    )
    report = run(application, archive, officer)
    assert {(problem.entry, problem.code) for problem in report.problems} == {
        ("photo.jpg", "wrong_type"),
        ("diplome.pdf", "pdf_javascript"),
    }
    assert not DocumentVersion.objects.exists()


def test_the_total_unpacked_size_is_bounded(
    application: Application, officer: User, settings: Settings
) -> None:
    settings.DOCUMENTS_IMPORT_MAX_TOTAL_BYTES = 2_000
    archive = corpus.zip_of({"cv.pdf": corpus.pdf(pages=3), "diplome.pdf": corpus.pdf(pages=3)})
    report = run(application, archive, officer)
    assert "total_too_large" in [problem.code for problem in report.problems]


def test_an_entry_lying_about_its_size_is_refused(application: Application, officer: User) -> None:
    data = bytearray(corpus.zip_of({"cv.pdf": corpus.pdf()}, method=0))
    # Stored entries: patch the declared size in both headers to a tenth of the truth.
    real = len(corpus.pdf())
    declared = (real // 10).to_bytes(4, "little")
    for offset in _size_offsets(bytes(data)):
        data[offset : offset + 4] = declared
    report = run(application, bytes(data), officer)
    # Unpacking stops at the declared size, so the checksum of what was read fails.
    assert [problem.code for problem in report.problems] == ["damaged_entry"]
    assert not DocumentVersion.objects.exists()


def _size_offsets(data: bytes) -> list[int]:
    """Where the uncompressed size of the first entry is written (local and central)."""
    local = data.index(b"PK\x03\x04") + 22
    central = data.index(b"PK\x01\x02") + 24
    return [local, central]


def test_too_many_entries(application: Application, officer: User, settings: Settings) -> None:
    settings.DOCUMENTS_IMPORT_MAX_ENTRIES = 2
    archive = corpus.zip_of({f"file{n}.pdf": b"x" for n in range(3)})
    assert [p.code for p in run(application, archive, officer).problems] == ["too_many_entries"]


def test_names_must_follow_the_convention(application: Application, officer: User) -> None:
    archive = corpus.zip_of(
        {
            "piece-identite.pdf": corpus.pdf(),  # no validity date
            "cv.final.pdf": corpus.pdf(),  # a word the convention does not know
            "photo.2031-02-30.jpg": corpus.jpeg(),  # no such day
            "diplome": corpus.pdf(),  # no extension
        }
    )
    report = run(application, archive, officer)
    assert {(problem.entry, problem.code) for problem in report.problems} == {
        ("piece-identite.pdf", "validity_in_name"),
        ("cv.final.pdf", "unknown_word"),
        ("photo.2031-02-30.jpg", "bad_date"),
        ("diplome", "no_extension"),
    }


def test_two_files_for_one_document(application: Application, officer: User) -> None:
    archive = corpus.zip_of({"a/cv.pdf": corpus.pdf(), "b/cv.pdf": corpus.pdf()})
    assert [p.code for p in run(application, archive, officer).problems] == ["duplicate"]


def test_a_translation_needs_its_document(application: Application, officer: User) -> None:
    archive = corpus.zip_of({"cv.translation.pdf": corpus.pdf()})
    problems = run(application, archive, officer).problems
    assert [problem.code for problem in problems] == ["translation_without_document"]


def test_an_infected_entry_is_reported(
    application: Application, officer: User, settings: Settings, clamd: str
) -> None:
    settings.CLAMD_ADDRESS = clamd
    report = run(application, corpus.zip_of({"cv.pdf": corpus.eicar()}), officer)
    assert [problem.code for problem in report.problems] == ["infected"]
    assert "Eicar" in report.problems[0].message
    assert not DocumentVersion.objects.exists()


def test_a_failure_while_committing_cleans_storage(
    application: Application, officer: User, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"count": 0}
    real = services.make_current

    def fail_on_third(*args: Any, **kwargs: Any) -> None:
        calls["count"] += 1
        if calls["count"] == 3:
            raise RuntimeError("power cut")
        real(*args, **kwargs)

    monkeypatch.setattr(services, "make_current", fail_on_third)
    with pytest.raises(RuntimeError):
        run(application, good_archive(), officer)
    assert not DocumentVersion.objects.exists()
    assert not Document.objects.exists()
    assert stored(media, "documents") == stored(media, "incoming") == []


def test_the_candidate_may_not_import_into_a_sent_file(
    application: Application, candidate: User
) -> None:
    Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)
    report = run(Application.objects.get(pk=application.pk), good_archive(), candidate)
    assert {problem.code for problem in report.problems} == {"document_locked"}
    assert not DocumentVersion.objects.exists()


def test_problems_read_in_the_readers_language(application: Application, officer: User) -> None:
    from django.utils import translation

    archive = corpus.zip_of({"resume.pdf": corpus.pdf()})
    with translation.override("en"):
        english = run(application, archive, officer).problems[0].message
    with translation.override("fr"):
        french = run(application, archive, officer).problems[0].message
    assert "is not a document of this file" in english
    assert english != french


def test_only_the_bundle_summary_at_the_top_is_ignored(
    application: Application, officer: User
) -> None:
    top = run(
        application, corpus.zip_of({"summary.pdf": corpus.pdf(), "cv.pdf": corpus.pdf()}), officer
    )
    assert top.ok, top.problems
    assert top.ignored == ["summary.pdf"]
    inside = run(application, corpus.zip_of({"dossier/summary.pdf": corpus.pdf()}), officer)
    assert [problem.code for problem in inside.problems] == ["unknown_document"]
