"""Everything the platform holds about a candidate, as one ZIP they download.

`data.json` holds the account, the profile with its education and work, and every file with
its candidate-visible history, messages, ledger lines and documents' details; beside it,
every version of every document of their files (`documents/<reference>/...`) and the files
sent with messages (`messages/<reference>/...`). The ZIP is written to a temporary file that
stays in memory only while small, and files are copied into it in chunks.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import timezone

from admissions.applications.models import Application
from admissions.applications.queries import history
from admissions.documents import storage
from admissions.documents.models import Document, DocumentVersion
from admissions.payments.models import LedgerEntry
from admissions.people.models import User
from admissions.people.profile import CandidateProfile
from admissions.workflow.models import Message, MessageAttachment

DATA_NAME = "data.json"
SPOOL_BYTES = 8 * 1024 * 1024
CHUNK = 1024 * 1024

PROFILE_FIELDS = [
    "given_names",
    "family_name",
    "birth_date",
    "birth_place",
    "phone",
    "nationality",
    "residence_country",
    "address",
    "permit_kind",
    "permit_valid_until",
    "in_france_since",
    "france_travail_registered",
    "french_certificate",
    "french_level",
    "updated_at",
]


def export_filename(user: User) -> str:
    return f"my-data-{user.pk}-{timezone.localdate():%Y%m%d}.zip"


def _account(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "preferred_language": user.preferred_language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _profile(user: User) -> dict[str, Any] | None:
    profile = (
        CandidateProfile.objects.filter(user=user)
        .prefetch_related("education", "work_periods")
        .first()
    )
    if profile is None:
        return None
    data: dict[str, Any] = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    data["education"] = [
        {
            "level": row.level,
            "diploma_kind": row.diploma_kind,
            "title": row.title,
            "school": row.school,
            "country": row.country,
            "year": row.year,
            "status": row.status,
        }
        for row in profile.education.all()
    ]
    data["work_periods"] = [
        {"employer": row.employer, "position": row.position, "start": row.start, "end": row.end}
        for row in profile.work_periods.all()
    ]
    return data


def version_path(reference: str, document: Document, version: DocumentVersion) -> str:
    suffix = "-translation" if document.translation_of_id else ""
    return (
        f"documents/{reference}/{document.requirement_code}{suffix}"
        f"-v{version.number}.{version.extension}"
    )


def attachment_path(reference: str, attachment: MessageAttachment) -> str:
    return f"messages/{reference}/{attachment.message_id}-{attachment.pk}.{attachment.extension}"


def _applications(user: User) -> list[Application]:
    return list(
        Application.objects.filter(candidate=user)
        .select_related("programme", "campaign")
        .prefetch_related(
            "events",
            Prefetch("documents", Document.objects.prefetch_related("versions")),
            Prefetch("messages", Message.objects.prefetch_related("attachments")),
            Prefetch("ledger_entries", LedgerEntry.objects.order_by("created_at", "pk")),
        )
        .order_by("created_at", "pk")
    )


def _application(application: Application) -> dict[str, Any]:
    reference = application.reference
    return {
        "reference": reference,
        "programme": {"fr": application.programme.name_fr, "en": application.programme.name_en},
        "campaign": {"fr": application.campaign.name_fr, "en": application.campaign.name_en},
        "status": application.status,
        "status_label": str(application.status_enum.label),
        "track": application.track,
        "financing_mode": application.financing_mode,
        "cover_letter": application.cover_letter,
        "professional_project": application.professional_project,
        "eligibility": application.eligibility,
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "history": [
            {"at": line.at, "event": line.text, "by": str(line.by), "count": line.count}
            for line in history(application, list(application.events.all()))
        ],
        "messages": [
            {
                "at": message.created_at,
                "from_staff": message.from_staff,
                "body": message.body,
                "attachments": [
                    {
                        "file_name": attachment.original_filename,
                        "size": attachment.size,
                        "sha256": attachment.sha256,
                        "in_zip": attachment_path(reference, attachment),
                    }
                    for attachment in message.attachments.all()
                ],
            }
            for message in application.messages.all()
        ],
        "ledger": [
            {
                "at": entry.created_at,
                "kind": entry.kind,
                "charge_kind": entry.charge_kind,
                "instalment": entry.instalment,
                "amount_cents": entry.amount_cents,
                "currency": entry.currency,
                "method": entry.method,
                "reference": entry.reference,
                "due_on": entry.due_on,
            }
            for entry in application.ledger_entries.all()
        ],
        "documents": [
            {
                "requirement": document.requirement_code,
                "translation": document.is_translation,
                "state": document.state,
                "valid_until": document.valid_until,
                "number": document.number,
                "reason": document.staff_reason,
                "versions": [
                    {
                        "number": version.number,
                        "file_name": version.original_filename,
                        "size": version.size,
                        "sha256": version.sha256,
                        "type": version.detected_type,
                        "uploaded_at": version.created_at,
                        "in_zip": version_path(reference, document, version)
                        if version.file.name
                        else None,
                    }
                    for version in sorted(document.versions.all(), key=lambda v: v.number)
                ],
            }
            for document in application.documents.all()
        ],
    }


def _stored_files(applications: list[Application]) -> Iterator[tuple[str, str]]:
    """(name in the ZIP, storage key) of every stored file of the candidate's files."""
    for application in applications:
        for document in application.documents.all():
            for version in document.versions.all():
                if version.file.name:
                    yield version_path(application.reference, document, version), version.file.name
        for message in application.messages.all():
            for attachment in message.attachments.all():
                if attachment.file:
                    yield attachment_path(application.reference, attachment), attachment.file


def collect(user: User) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The JSON document and the stored files of `user`."""
    applications = _applications(user)
    data = {
        "generated_at": timezone.now(),
        "account": _account(user),
        "profile": _profile(user),
        "applications": [_application(application) for application in applications],
    }
    return data, list(_stored_files(applications))


def write_export(user: User, out: IO[bytes]) -> list[str]:
    """Write the ZIP of everything about `user` to `out`; the names it holds."""
    data, files = collect(user)
    names = [DATA_NAME]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        archive.writestr(DATA_NAME, text)
        for name, key in files:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_STORED  # PDF and JPEG are compressed already
            info.external_attr = 0o600 << 16
            with (
                storage.open_file(key) as source,
                archive.open(info, "w", force_zip64=True) as target,
            ):
                shutil.copyfileobj(source, target, CHUNK)
            names.append(name)
    return names


def export_file(user: User) -> IO[bytes]:
    """The ZIP in a temporary file (in memory up to 8 MB), rewound, for a response to stream."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - handed on
    write_export(user, spool)
    spool.seek(0)
    return spool
