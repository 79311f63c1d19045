"""Object storage down: the candidate is told, in their language, to try again in a moment
(not a server error); nothing saved before is lost; once storage is back the same upload
works."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from moto.server import ThreadedMotoServer
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from admissions.applications.models import Application
from admissions.documents.models import DocumentVersion
from admissions.people.models import User
from tests.documents import corpus
from tests.services.base import LOOPBACK, free_port
from tests.services.s3 import BUCKET, S3Server


@dataclass
class StoppableS3:
    """An S3 endpoint of the test's own that it stops and starts again on the same port.
    Moto keeps its buckets in the process, so what was stored is there again after."""

    port: int
    server: ThreadedMotoServer | None = None

    def start(self) -> None:
        self.server = ThreadedMotoServer(ip_address=LOOPBACK, port=self.port, verbose=False)
        self.server.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


@pytest.fixture
def stoppable_s3(settings: Settings, s3_server: S3Server) -> Iterator[StoppableS3]:
    endpoint = StoppableS3(port=free_port())
    endpoint.start()
    options = {
        **s3_server.storage_options(),
        "endpoint_url": f"http://{LOOPBACK}:{endpoint.port}",
        "location": f"outage-{uuid.uuid4().hex}",
    }
    assert options["bucket_name"] == BUCKET  # made by the session's endpoint, shared by moto
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    try:
        yield endpoint
    finally:
        endpoint.stop()


def _upload(client: Client, application: Application, **headers: str) -> object:
    with translation.override("fr"):
        url = reverse("documents:upload", args=[application.reference, "cv"])
    data = {"file": io.BytesIO(corpus.pdf()), "valid_until": ""}
    return client.post(url, data, headers=headers)


def test_storage_down_asks_to_try_again_and_loses_nothing(
    stoppable_s3: StoppableS3,
    application: Application,
    candidate: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = Client()
    client.force_login(candidate)
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(client, application).status_code == 302
    first = DocumentVersion.objects.get(document__application=application)

    stoppable_s3.stop()
    page = _upload(client, application, **{"Accept-Language": "fr"})
    assert page.status_code == 503  # type: ignore[attr-defined]
    assert page["Retry-After"] == "30"  # type: ignore[index]
    html = page.content.decode()  # type: ignore[attr-defined]
    assert "Réessayez dans un instant" in html
    assert "ce que vous venez d’envoyer n’a pas été enregistré" in html
    script = _upload(client, application, Accept="application/json")
    assert script.status_code == 503  # type: ignore[attr-defined]
    assert script.json()["code"] == "storage_unavailable"  # type: ignore[attr-defined]
    api = Client()
    api.force_login(candidate)
    with translation.override("en"):
        answer = api.post(
            f"/api/v1/documents/{application.reference}/cv",
            {"file": io.BytesIO(corpus.pdf())},
            headers={"Accept-Language": "en"},
        )
    assert answer.status_code == 503
    assert answer.json()["code"] == "storage_unavailable"
    assert "Try again in a minute" in answer.json()["message"]
    # Nothing written, nothing lost.
    assert list(DocumentVersion.objects.filter(document__application=application)) == [first]

    stoppable_s3.start()
    download = client.get(reverse("documents:download", args=[first.public_id]))
    assert download.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(client, application).status_code == 302
    assert DocumentVersion.objects.filter(document__application=application).count() == 2
