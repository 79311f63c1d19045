"""/api/v1/documents: the same checks and permissions as the pages, in JSON."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from admissions.applications.models import Application
from admissions.documents.models import Document, DocumentVersion
from admissions.people.models import ApiToken, User
from admissions.people.tokens import new_secret
from tests.documents import corpus
from tests.documents.conftest import Upload

BASE = "/api/v1/documents"
# The session, the sender judged (file, document), the transaction (its savepoint here, the
# file locked, document, new slot, version, history, document): the sender judged is not
# judged again before the checks, a slot created by the upload has no version to number
# after and no translation to look up, and nothing is read again to answer.
UPLOAD_STATEMENTS = 11


@pytest.fixture
def api(client: Client, candidate: User) -> Client:
    client.force_login(candidate)
    return client


def test_the_checklist_with_states(api: Client, application: Application) -> None:
    response = api.get(f"{BASE}/{application.reference}")
    assert response.status_code == 200
    entries = response.json()
    assert [entry["requirement"] for entry in entries] == [
        "cv",
        "photo",
        "piece-identite",
        "diplome",
    ]
    assert all(entry["document"] is None and not entry["satisfied"] for entry in entries)


def test_an_upload_is_checked_and_stored(api: Client, application: Application) -> None:
    response = api.post(
        f"{BASE}/{application.reference}/cv",
        {"file": SimpleUploadedFile("cv.pdf", corpus.pdf(pages=2))},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["accepted"] is True
    version = body["document"]["current_version"]
    assert version["pages"] == 2
    assert version["scan_status"] == "not_scanned"
    download = api.get(version["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_an_upload_reads_the_file_once_and_answers_what_it_stored(
    api: Client, application: Application
) -> None:
    """The file read to judge the sender serves the upload; the answer is built from the rows
    just written, and is what a read afterwards finds."""
    with CaptureQueriesContext(connection) as captured:
        response = api.post(
            f"{BASE}/{application.reference}/cv",
            {"file": SimpleUploadedFile("cv.pdf", corpus.pdf(pages=2))},
        )
    assert response.status_code == 201, response.content
    reads = [q["sql"] for q in captured if 'FROM "applications_application"' in q["sql"]]
    assert len(reads) == 2  # judged before the body is read, then locked
    documents = [q for q in captured if q["sql"].startswith('SELECT "documents_document"')]
    assert len(documents) == 2  # the same
    assert len(captured) <= UPLOAD_STATEMENTS, [q["sql"][:80] for q in captured]
    listed = {
        entry["requirement"]: entry for entry in api.get(f"{BASE}/{application.reference}").json()
    }
    assert response.json()["document"] == listed["cv"]["document"]


def test_a_refused_file_answers_422_with_its_reason(api: Client, application: Application) -> None:
    response = api.post(
        f"{BASE}/{application.reference}/cv",
        {"file": SimpleUploadedFile("cv.pdf", corpus.javascript_open_action_pdf())},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "pdf_javascript"
    assert "JavaScript" in body["message"]
    assert not DocumentVersion.objects.exists()


def test_an_over_size_body_answers_413_unread(api: Client, application: Application) -> None:
    response = api.post(
        f"{BASE}/{application.reference}/cv",
        {"file": SimpleUploadedFile("cv.pdf", corpus.oversize_pdf(3 * 1024 * 1024))},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not DocumentVersion.objects.exists()


def test_a_file_just_over_the_limit_is_cut_off(api: Client, application: Application) -> None:
    response = api.post(
        f"{BASE}/{application.reference}/cv",
        {"file": SimpleUploadedFile("cv.pdf", corpus.oversize_pdf(1024 * 1024))},
    )
    assert response.status_code == 413
    assert not DocumentVersion.objects.exists()


def test_validity_date_and_translation(api: Client, application: Application) -> None:
    url = f"{BASE}/{application.reference}"
    missing_date = api.post(
        f"{url}/piece-identite", {"file": SimpleUploadedFile("i.pdf", corpus.pdf())}
    )
    assert missing_date.status_code == 422
    assert missing_date.json()["code"] == "invalid_document_input"
    dated = api.post(
        f"{url}/piece-identite",
        {"file": SimpleUploadedFile("i.pdf", corpus.pdf()), "valid_until": "2031-05-31"},
    )
    assert dated.json()["document"]["valid_until"] == "2031-05-31"
    api.post(
        f"{url}/cv",
        {"file": SimpleUploadedFile("cv.pdf", corpus.pdf()), "foreign_language": "true"},
    )
    translated = api.post(
        f"{url}/cv/translation", {"file": SimpleUploadedFile("t.pdf", corpus.pdf())}
    )
    assert translated.status_code == 201
    assert translated.json()["document"]["translation"] is True
    entries = {entry["requirement"]: entry for entry in api.get(url).json()}
    assert entries["cv"]["satisfied"] is True
    assert entries["cv"]["translation"]["state"] == "accepted_on_arrival"


def test_delete_before_sending(api: Client, application: Application) -> None:
    url = f"{BASE}/{application.reference}/cv"
    api.post(url, {"file": SimpleUploadedFile("cv.pdf", corpus.pdf())})
    assert api.delete(url).status_code == 204
    assert not Document.objects.exists()
    assert api.delete(url).status_code == 404


@pytest.mark.parametrize("persona", ["other_candidate", "foreign_officer"])
def test_others_get_404(
    client: Client, application: Application, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"{BASE}/{application.reference}").status_code == 404
    response = client.post(
        f"{BASE}/{application.reference}/cv", {"file": SimpleUploadedFile("cv.pdf", corpus.pdf())}
    )
    assert response.status_code == 404
    assert not DocumentVersion.objects.exists()


def test_anonymous_calls_are_refused(client: Client, application: Application) -> None:
    assert client.get(f"{BASE}/{application.reference}").status_code == 401


def test_the_schema_lists_the_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/documents/{reference}/{code}" in paths
    assert "/api/v1/documents/files/{public_id}" in paths


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    def readline(self, size: int | None = -1) -> bytes:
        raise AssertionError("the body was read")


def post_unread(client: Client, path: str, length: int) -> HttpResponse:
    """POST announcing a `length`-byte multipart body that must not be read."""
    return client.post(  # type: ignore[return-value]
        path,
        data=b"-",
        content_type="multipart/form-data; boundary=unread",
        **{"wsgi.input": UnreadableBody(), "CONTENT_LENGTH": str(length)},
    )


LARGE = 50 * 1024 * 1024
SMALL = 10 * 1024


@pytest.mark.parametrize("length", [LARGE, SMALL])
def test_an_anonymous_upload_is_refused_unread(
    client: Client, application: Application, length: int
) -> None:
    response = post_unread(client, f"{BASE}/{application.reference}/cv", length)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("persona", ["other_candidate", "foreign_officer"])
@pytest.mark.parametrize("length", [LARGE, SMALL])
def test_an_upload_to_someone_elses_file_is_refused_unread(
    client: Client,
    application: Application,
    persona: str,
    length: int,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    for path in (f"{application.reference}/cv", f"{application.reference}/cv/translation"):
        response = post_unread(client, f"{BASE}/{path}", length)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_staff_who_may_only_read_are_refused_unread(
    client: Client, application: Application, interviewer: User
) -> None:
    client.force_login(interviewer)
    response = post_unread(client, f"{BASE}/{application.reference}/cv", LARGE)
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_document"


def test_a_document_the_candidate_may_not_change_is_refused_unread(
    api: Client, application: Application
) -> None:
    response = post_unread(api, f"{BASE}/{application.reference}/devis-region", SMALL)
    assert response.status_code == 409
    assert response.json()["code"] == "document_locked"


def test_the_owner_announcing_too_much_is_refused_unread(
    api: Client, application: Application
) -> None:
    response = post_unread(api, f"{BASE}/{application.reference}/cv", LARGE)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_the_unread_body_would_fail_the_test_if_read(api: Client, application: Application) -> None:
    with pytest.raises(AssertionError, match="the body was read"):
        post_unread(api, f"{BASE}/{application.reference}/cv", SMALL)


def long_name_body(name: str, data: bytes) -> bytes:
    return (
        b"--long\r\n"
        + f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'.encode()
        + b"Content-Type: application/pdf\r\n\r\n"
        + data
        + b"\r\n--long--\r\n"
    )


def test_a_file_name_of_5000_characters_gets_a_json_error(
    api: Client, application: Application
) -> None:
    response = api.post(
        f"{BASE}/{application.reference}/cv",
        data=long_name_body("a" * 5000 + ".pdf", corpus.pdf()),
        content_type="multipart/form-data; boundary=long",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unreadable_upload"
    assert "name is too long" in body["message"]
    assert not DocumentVersion.objects.exists()


def test_a_long_file_name_that_can_be_read_is_shortened(
    api: Client, application: Application
) -> None:
    response = api.post(
        f"{BASE}/{application.reference}/cv",
        data=long_name_body("b" * 800 + ".pdf", corpus.pdf()),
        content_type="multipart/form-data; boundary=long",
    )
    assert response.status_code == 201, response.content
    filename = response.json()["document"]["current_version"]["filename"]
    assert len(filename) == 200
    assert filename.endswith("b.pdf")


def _bearer(user: User, *, can_write: bool) -> dict[str, str]:
    text, key_id, digest = new_secret()
    ApiToken.objects.create(user=user, name="t", key_id=key_id, digest=digest, can_write=can_write)
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


def test_a_token_upload_is_judged_unread(
    client: Client, application: Application, candidate: User
) -> None:
    path = f"{BASE}/{application.reference}/cv"
    unknown = client.post(
        path,
        data=b"-",
        content_type="multipart/form-data; boundary=unread",
        HTTP_AUTHORIZATION="Bearer adm_000000000000_nothing",
        **{"wsgi.input": UnreadableBody(), "CONTENT_LENGTH": str(SMALL)},
    )
    assert unknown.json()["code"] == "invalid_token"
    for can_write, length, code in ((False, SMALL, "token_read_only"), (True, LARGE, "too_large")):
        answer = client.post(
            path,
            data=b"-",
            content_type="multipart/form-data; boundary=unread",
            **_bearer(candidate, can_write=can_write),
            **{"wsgi.input": UnreadableBody(), "CONTENT_LENGTH": str(length)},
        )
        assert answer.json()["code"] == code


def test_a_documents_language_as_on_its_page(
    api: Client,
    application: Application,
    upload: Upload,
    other_candidate: User,
    foreign_officer: User,
) -> None:
    """The language switch of the documents page: a foreign language asks for a translation,
    through the same service; the file's own people only (404 to others)."""
    upload("cv", corpus.pdf())
    url = f"/api/v1/documents/{application.reference}/cv/language"
    answer = api.put(url, {"foreign_language": True}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["foreign_language"] is True
    assert Document.objects.filter(translation_of__requirement_code="cv").count() == 1
    back = api.put(url, {"foreign_language": False}, content_type="application/json")
    assert back.json()["foreign_language"] is False
    assert not Document.objects.filter(translation_of__isnull=False).exists()
    wrong = api.put(url, {"foreign_language": "maybe"}, content_type="application/json")
    assert wrong.status_code == 422
    assert wrong.json()["details"][0]["field"] == "foreign_language"
    missing = f"/api/v1/documents/{application.reference}/no-such-document/language"
    assert (
        api.put(missing, {"foreign_language": True}, content_type="application/json").status_code
        == 404
    )
    for outsider in (other_candidate, foreign_officer):
        client = Client()
        client.force_login(outsider)
        refused = client.put(url, {"foreign_language": True}, content_type="application/json")
        assert refused.status_code == 404
    assert (
        Client().put(url, {"foreign_language": True}, content_type="application/json").status_code
        == 401
    )
    assert not Document.objects.filter(translation_of__isnull=False).exists()
