"""The log of staff's views and downloads of candidates' documents (docs/privacy.md).

Every hand-out of a document's file to anyone but its candidate writes one row: who, when,
which file and version, from which address. The institution's administrators read it in
the office; the retention job deletes rows older than the institution's period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import HttpRequest

from admissions.applications.models import Application
from admissions.core.clientaddress import client_address
from admissions.documents.models import AccessKind, DocumentAccess, DocumentVersion
from admissions.people.models import User


def _address(request: HttpRequest) -> str | None:
    address = client_address(request)
    return address or None


def record_access(
    request: HttpRequest,
    *,
    application: Application,
    read: Iterable[tuple[DocumentVersion, str, bool]],
    kind: AccessKind,
) -> int:
    """Log that the request's user read files of `application`; nothing for its candidate.

    `read` holds each version with its document's requirement code and whether the
    document is a translation.
    """
    user = request.user
    if not isinstance(user, User) or application.candidate_id == user.pk:
        return 0
    address = _address(request)
    rows = [
        DocumentAccess(
            user=user,
            institution_id=application.programme.institution_id,
            application=application,
            version=version,
            reference=application.reference,
            requirement_code=code + ("/translation" if translation else ""),
            version_number=version.number,
            kind=kind,
            ip_address=address,
        )
        for version, code, translation in read
    ]
    DocumentAccess.objects.bulk_create(rows)
    return len(rows)


def purge_older_than(institution_id: int, cutoff: dt.datetime) -> int:
    """Delete the institution's log rows written before `cutoff`; the count deleted."""
    old: QuerySet[DocumentAccess] = DocumentAccess.objects.filter(
        institution_id=institution_id, at__lt=cutoff
    )
    deleted, _ = old.delete()
    return deleted
