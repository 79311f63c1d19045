"""Personas and a test rulebook for the documents tests.

The rulebook is IMT Nord Europe's preset with a documents section whose limits the corpus
(corpus.py) is built against: a CV in PDF of at most 1 MB and 3 pages, translatable; a JPEG
photo of at least 300 × 400 pixels; an identity document with a validity date; a diploma
once obtained, translatable; and a quote the school adds itself. Each test gets its own
storage folder, so that what a test leaves in storage is exactly what it wrote.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from pytest_django.fixtures import Settings

from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Programme
from admissions.documents import services
from admissions.people.models import Role, User
from tests.factories import (
    IN_NORD_CAMPAIGN,
    draft,
    eligible_candidate,
    load_preset,
    programme_of,
    staff_member,
)

REQUIREMENTS: list[dict[str, Any]] = [
    {
        "code": "cv",
        "label": {"fr": "Curriculum vitae", "en": "Curriculum vitae"},
        "formats": ["pdf"],
        "max_size_mb": "1",
        "max_pages": 3,
        "translatable": True,
    },
    {
        "code": "photo",
        "label": {"fr": "Photo d'identité", "en": "Identity photo"},
        "formats": ["jpeg"],
        "max_size_mb": "1",
        "min_width_px": 300,
        "min_height_px": 400,
    },
    {
        "code": "piece-identite",
        "label": {"fr": "Pièce d'identité", "en": "Identity document"},
        "formats": ["pdf", "jpeg"],
        "max_size_mb": "2",
        "needs_validity_date": True,
    },
    {
        "code": "diplome",
        "label": {"fr": "Diplôme", "en": "Diploma"},
        "formats": ["pdf"],
        "max_size_mb": "2",
        "translatable": True,
        "condition": "diploma_obtained",
    },
    {
        "code": "devis-region",
        "label": {"fr": "Devis de formation", "en": "Training quote"},
        "formats": ["pdf"],
        "max_size_mb": "1",
        "condition": "region_funded",
        "provided_by": "staff",
    },
]


def documents_section(raw: dict[str, Any]) -> None:
    """Our requirements, plus the preset's conditional ones that other sections rely on."""
    ours = {requirement["code"] for requirement in REQUIREMENTS}
    kept = [
        requirement
        for requirement in raw["documents"]["requirements"]
        if requirement.get("condition", "always") != "always" and requirement["code"] not in ours
    ]
    raw["documents"]["requirements"] = REQUIREMENTS + kept


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Settings) -> Path:
    """A storage folder of the test's own."""
    folder = tmp_path / "media"
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


def multipart_with_name(field: str, name: str, data: bytes, **fields: str) -> bytes:
    """A form as a browser sends it, whatever the length of the file's name."""
    parts = [
        f'--form\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--form\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    return b"".join(parts) + b"--form--\r\n"


def stored(media: Path, prefix: str) -> list[str]:
    """Keys stored under `prefix` in the test's storage folder."""
    folder = media / prefix
    if not folder.exists():
        return []
    return sorted(f"{prefix}/{path.name}" for path in folder.iterdir())


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def campaign(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-nord-europe", edit=documents_section)


@pytest.fixture
def programme(campaign: Campaign) -> Programme:
    return programme_of(campaign)


@pytest.fixture
def other_programme(campaign: Campaign, programme: Programme) -> Programme:
    other = Programme.objects.filter(institution_id=campaign.institution_id).exclude(
        pk=programme.pk
    )
    found = other.order_by("pk").first()
    assert found is not None
    return found


@pytest.fixture
def candidate(db: None) -> User:
    return eligible_candidate(given_names="Camille")


@pytest.fixture
def other_candidate(db: None) -> User:
    return eligible_candidate(given_names="Dominique")


@pytest.fixture
def application(candidate: User, campaign: Campaign, programme: Programme) -> Application:
    return draft(candidate, campaign, programme)


@pytest.fixture
def officer(programme: Programme) -> User:
    """An admissions officer of the application's programme."""
    return staff_member(Role.ADMISSIONS_OFFICER, programme=programme)


@pytest.fixture
def interviewer(programme: Programme) -> User:
    """Staff of the programme who may read the file but not change its documents."""
    return staff_member(Role.INTERVIEWER, programme=programme)


@pytest.fixture
def foreign_officer(other_programme: Programme) -> User:
    """An admissions officer of another programme of the same school."""
    return staff_member(Role.ADMISSIONS_OFFICER, programme=other_programme)


Upload = Callable[..., services.UploadResult]


@pytest.fixture
def upload(application: Application, candidate: User) -> Upload:
    """Send bytes as a document of the application, by its candidate unless told otherwise."""

    def send(code: str, data: bytes, filename: str = "", **options: Any) -> services.UploadResult:
        options.setdefault("by", candidate)
        target = options.pop("application", application)
        return services.upload_document(
            application=target,
            requirement_code=code,
            stream=io.BytesIO(data),
            filename=filename or f"{code}.pdf",
            **options,
        )

    return send
