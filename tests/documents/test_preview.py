"""The whole-file page shows a version inline, through the same checks as a download."""

from __future__ import annotations

from django.test import Client

from admissions.people.models import User
from tests.documents import corpus
from tests.documents.conftest import Upload


def test_staff_see_a_version_inline_and_inert(
    client: Client, upload: Upload, officer: User, foreign_officer: User, other_candidate: User
) -> None:
    version = upload("cv", corpus.pdf()).version
    assert version is not None
    url = f"/en/office/preview/{version.public_id}/"
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    for outsider in (foreign_officer, other_candidate):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    # The download itself is still an attachment.
    client.force_login(officer)
    download = client.get(f"/en/documents/file/{version.public_id}/")
    assert download["Content-Disposition"].startswith("attachment")
