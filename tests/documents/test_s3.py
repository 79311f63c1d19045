"""The same uploads, downloads and quarantine on S3 storage, against a real local endpoint."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from admissions.documents import housekeeping, storage
from admissions.documents.models import QuarantinedFile
from admissions.people.models import User
from tests.documents import corpus
from tests.documents.conftest import Upload
from tests.services.s3 import S3Server


@pytest.fixture
def s3(settings: Settings, s3_server: S3Server) -> dict[str, Any]:
    """Documents stored in the test bucket, under a folder of the test's own."""
    location = f"test-{uuid.uuid4().hex}"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**s3_server.storage_options(), "location": location},
        },
    }
    return {"server": s3_server, "location": location}


def keys(s3: dict[str, Any]) -> list[str]:
    server: S3Server = s3["server"]
    answer = server.client().list_objects_v2(Bucket=server.bucket, Prefix=s3["location"] + "/")
    return sorted(item["Key"].split("/", 1)[1] for item in answer.get("Contents", []))


def test_round_trip_through_s3(
    s3: dict[str, Any],
    upload: Upload,
    client: Client,
    candidate: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    data = corpus.pdf(pages=2)
    with django_capture_on_commit_callbacks(execute=True):
        result = upload("cv", data)
    version = result.version
    assert version is not None
    assert keys(s3) == [version.file.name]  # the incoming object is gone
    assert version.file.name.startswith("documents/")
    client.force_login(candidate)
    response = client.get(reverse("documents:download", args=[version.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data  # type: ignore[attr-defined]


def test_objects_are_private(s3: dict[str, Any], upload: Upload) -> None:
    import urllib.error
    import urllib.request

    result = upload("cv", corpus.pdf())
    server: S3Server = s3["server"]
    assert result.version is not None
    key = f"{s3['location']}/{result.version.file.name}"
    url = f"{server.endpoint_url}/{server.bucket}/{key}"
    grants = server.client().get_object_acl(Bucket=server.bucket, Key=key)["Grants"]
    assert all(grant["Grantee"].get("URI") is None for grant in grants)  # no public group
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)  # noqa: S310 - loopback test endpoint
    assert refused.value.code == 403


def test_a_failure_mid_upload_leaves_no_object(
    s3: dict[str, Any], upload: Upload, monkeypatch: pytest.MonkeyPatch
) -> None:
    from admissions.documents import services

    def cut(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(services, "make_current", cut)
    with pytest.raises(RuntimeError):
        upload("cv", corpus.pdf())
    assert keys(s3) == []


def test_infected_files_go_to_the_quarantine_prefix(
    s3: dict[str, Any],
    settings: Settings,
    clamd: str,
    upload: Upload,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.CLAMD_ADDRESS = clamd
    with django_capture_on_commit_callbacks(execute=True):
        upload("cv", corpus.eicar())
    quarantined = QuarantinedFile.objects.get()
    assert keys(s3) == [quarantined.storage_key]
    assert quarantined.storage_key.startswith("quarantine/")


def test_upkeep_lists_and_sweeps_s3(s3: dict[str, Any]) -> None:
    import io

    from django.utils import timezone

    storage.write(storage.INCOMING, io.BytesIO(b"abandoned"))
    assert housekeeping.purge_incoming(timezone.now()) == 0  # too recent
    import datetime as dt

    assert housekeeping.purge_incoming(timezone.now() + dt.timedelta(days=2)) == 1
    assert keys(s3) == []
