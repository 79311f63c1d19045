"""`backup` and `restore`: an instance built through the services, backed up, restored into
a fresh empty database and storage, is found whole: every account, file, document (the same
bytes) and payment.

The restore runs as an operator runs it: `python -m admissions.manage` in a process of its
own, configured by ADMISSIONS_* variables for the new instance.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import time_machine
from django.core.management import call_command
from pytest_django.fixtures import Settings

from admissions.applications.lifecycle import Status
from admissions.core.backups.manifest import Manifest
from admissions.documents.services import upload_document
from admissions.people.models import User
from admissions.workflow.submission import submit
from tests.core.backup_inventory import PRINT, inventory
from tests.documents import corpus
from tests.documents.conftest import documents_section
from tests.factories import (
    COVER_LETTER,
    IN_NORD_CAMPAIGN,
    PROFESSIONAL_PROJECT,
    draft,
    eligible_candidate,
    load_preset,
    pay_fee,
)
from tests.migrated_database import copy_sqlite
from tests.services.s3 import S3Server

ROOT = Path(__file__).resolve().parents[2]
# The database of an instance configured by ADMISSIONS_VAR_DIR alone, in that folder.
DATABASE_FILE = "admissions.sqlite3"


def _build_instance() -> None:
    """Two candidates' files with real documents and fees paid; one of them submitted."""
    campaign = load_preset("imt-nord-europe", edit=documents_section)
    for number, name in enumerate(("Camille", "Dominique")):
        candidate = eligible_candidate(given_names=name)
        application = draft(
            candidate,
            campaign,
            cover_letter=COVER_LETTER,
            professional_project=PROFESSIONAL_PROJECT,
        )
        for code, data, filename, extra in (
            ("cv", corpus.pdf(pages=2, text=f"CV {name}"), "cv.pdf", {}),
            ("diplome", corpus.pdf(text=f"Diploma {name}"), "diploma.pdf", {}),
            ("photo", corpus.jpeg(600 + number, 800), "photo.jpg", {}),
            (
                "piece-identite",
                corpus.pdf(text=f"Identity {name}"),
                "id.pdf",
                {"valid_until": IN_NORD_CAMPAIGN.date().replace(year=2030)},
            ),
        ):
            result = upload_document(
                application=application,
                requirement_code=code,
                stream=io.BytesIO(data),
                filename=filename,
                by=candidate,
                **extra,
            )
            assert result.version is not None, result
        pay_fee(application)
        if number == 0:
            submitted = submit(application, by=candidate)
            assert submitted.status != Status.DRAFT


@dataclass
class Target:
    """A fresh instance: its own database and storage, reached through ADMISSIONS_* variables."""

    environment: dict[str, str]

    def manage(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return self._python("-m", "admissions.manage", *arguments)

    def inventory(self) -> dict[str, Any]:
        done = self._python("-c", PRINT)
        assert done.returncode == 0, done.stderr
        found: dict[str, Any] = json.loads(done.stdout)
        return found

    def _python(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *arguments],
            cwd=ROOT,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def _environment(folder: Path, **variables: str) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "admissions.settings",
        "ADMISSIONS_VAR_DIR": str(folder / "var"),
        "ADMISSIONS_MEDIA_ROOT": str(folder / "media"),
        "ADMISSIONS_TASKS": "immediate",
        **{f"ADMISSIONS_{name}": value for name, value in variables.items()},
    }


@pytest.fixture
def target(
    tmp_path: Path, database_engine: str, request: pytest.FixtureRequest
) -> Iterator[Target]:
    """An instance that was installed and migrated, and holds nothing yet: a copy of the
    database `migrate` built for the run (tests/migrated_database.py)."""
    folder = tmp_path / "target"
    if database_engine == "sqlite":
        copy_sqlite(request.getfixturevalue("migrated_sqlite"), folder / "var" / DATABASE_FILE)
        yield Target(_environment(folder))
        return
    server = request.getfixturevalue("postgres_server")
    migrated = request.getfixturevalue("migrated_postgres")
    name = f"restored_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated}"')
    try:
        yield Target(_environment(folder, DATABASE_URL=server.url(name)))
    finally:
        with psycopg.connect(server.url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(tmp_path: Path, settings: Settings) -> Path:
    folder = tmp_path / "source-media"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": "/nowhere/"},
        },
    }
    settings.CLAMD_ADDRESS = ""
    return folder


@pytest.fixture
def instance(media: Path) -> dict[str, Any]:
    """The source instance, built through the services; what it holds, as JSON reads it."""
    return _built()


def _built() -> dict[str, Any]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        _build_instance()
    held: dict[str, Any] = json.loads(json.dumps(inventory()))
    assert len(held["versions"]) == 8
    assert len({version[1] for version in held["versions"]}) == 8
    assert [entry[1] for entry in held["payments"]].count("payment") == 2
    return held


def _backup(archive: Path) -> Manifest:
    out = io.StringIO()
    call_command("backup", output=archive, stdout=out, stderr=io.StringIO())
    assert str(archive) in out.getvalue()
    with tarfile.open(archive) as tar:
        manifest = tar.extractfile("manifest.json")
        assert manifest is not None
        return Manifest.from_json(manifest.read())


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_instance_holds_everything(
    instance: dict[str, Any], target: Target, tmp_path: Path, database_engine: str
) -> None:
    archive = tmp_path / "backup.tar"

    manifest = _backup(archive)

    assert manifest.vendor == ("sqlite" if database_engine == "sqlite" else "postgresql")
    assert manifest.counts["people_user"] == User.objects.count()
    assert manifest.counts["documents_documentversion"] == 8
    assert manifest.counts["payments_ledgerentry"] >= 2
    assert {stored.name for stored in manifest.files} >= {v[1] for v in instance["versions"]}
    assert manifest.missing_files == []
    assert "documents" in manifest.migrations

    restored = target.manage("restore", str(archive))

    assert restored.returncode == 0, restored.stderr
    assert target.inventory() == instance


@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_an_instance_that_holds_data_unless_forced(
    instance: dict[str, Any], target: Target, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar"
    _backup(archive)
    assert target.manage("restore", str(archive)).returncode == 0
    # The target now holds the files: a second restore would replace them.
    stray = Path(target.environment["ADMISSIONS_MEDIA_ROOT"]) / "documents" / "stray.pdf"
    stray.write_bytes(corpus.pdf(text="Not in the backup"))

    refused = target.manage("restore", str(archive))

    assert refused.returncode != 0
    assert "not empty" in refused.stderr
    assert "applications_application (2)" in refused.stderr
    assert "--force" in refused.stderr
    assert stray.exists()

    forced = target.manage("restore", "--force", str(archive))

    assert forced.returncode == 0, forced.stderr
    assert target.inventory() == instance
    assert not stray.exists()


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_is_refused_before_anything_is_written(
    instance: dict[str, Any], target: Target, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar"
    manifest = _backup(archive)
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as copy:
        for info in source:
            data = source.extractfile(info)
            assert data is not None
            body = data.read()
            if info.name == f"files/{manifest.files[0].name}":
                body = body[:-1] + bytes([body[-1] ^ 0xFF])
            copy.addfile(info, io.BytesIO(body))

    refused = target.manage("restore", str(damaged))

    assert refused.returncode != 0
    assert "damaged" in refused.stderr
    assert target.inventory()["users"] == []
    assert not any(Path(target.environment["ADMISSIONS_MEDIA_ROOT"]).rglob("*.pdf"))


def _bucket(s3_server: S3Server) -> dict[str, object]:
    """A bucket of the test's own on the S3 endpoint, and storage options to reach it."""
    name = f"backup-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": s3_server.region}
    )
    return {**s3_server.storage_options(), "bucket_name": name}


@pytest.mark.django_db(transaction=True)
def test_documents_in_object_storage_are_restored_into_another_bucket(
    settings: Settings,
    s3_server: S3Server,
    tmp_path: Path,
    database_engine: str,
    request: pytest.FixtureRequest,
) -> None:
    if database_engine != "sqlite":
        pytest.skip("storage is copied the same way whatever the database: run once")
    source = _bucket(s3_server)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": source},
    }
    settings.CLAMD_ADDRESS = ""
    held = _built()
    archive = tmp_path / "backup.tar"
    manifest = _backup(archive)
    assert {stored.name for stored in manifest.files} == {v[1] for v in held["versions"]}
    bucket = _bucket(s3_server)
    target = Target(
        _environment(
            tmp_path / "target",
            STORAGE="s3",
            S3_BUCKET=str(bucket["bucket_name"]),
            S3_ENDPOINT_URL=s3_server.endpoint_url,
            S3_ACCESS_KEY_ID=s3_server.access_key,
            S3_SECRET_ACCESS_KEY=s3_server.secret_key,
            S3_REGION=s3_server.region,
        )
    )
    copy_sqlite(
        request.getfixturevalue("migrated_sqlite"), tmp_path / "target" / "var" / DATABASE_FILE
    )

    restored = target.manage("restore", str(archive))

    assert restored.returncode == 0, restored.stderr
    assert target.inventory() == held
    listed = s3_server.client().list_objects_v2(Bucket=bucket["bucket_name"])
    assert len(listed["Contents"]) == len(held["versions"])


def test_the_manifest_of_an_unknown_format_is_refused() -> None:
    with pytest.raises(Exception, match="format 99 is unknown"):
        Manifest.from_json(b'{"format": 99}')
