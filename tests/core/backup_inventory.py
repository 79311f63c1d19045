"""What an instance holds, as a backup must give it back: every account, file, document
(with the SHA-256 of the bytes its storage gives back) and ledger entry.

`PRINT` prints it as JSON from a process of its own, for an instance configured by the
environment (ADMISSIONS_DATABASE_URL, ADMISSIONS_MEDIA_ROOT or ADMISSIONS_STORAGE...).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.storage import default_storage

from admissions.applications.models import Application, ApplicationEvent
from admissions.documents.models import Document, DocumentVersion
from admissions.payments.models import LedgerEntry
from admissions.people.models import User

PRINT = (
    "import django, json; django.setup(); "
    "from tests.core.backup_inventory import inventory; print(json.dumps(inventory()))"
)


def inventory() -> dict[str, Any]:
    versions = []
    for version in DocumentVersion.objects.order_by("public_id"):
        with default_storage.open(version.file.name, "rb") as stream:
            read = hashlib.sha256(stream.read()).hexdigest()
        versions.append([str(version.public_id), version.file.name, version.sha256, read])
    return {
        "users": sorted(User.objects.values_list("email", flat=True)),
        "applications": sorted(
            [reference, status]
            for reference, status in Application.objects.values_list("reference", "status")
        ),
        "events": ApplicationEvent.objects.count(),
        "documents": sorted(
            [reference, code, state]
            for reference, code, state in Document.objects.values_list(
                "application__reference", "requirement_code", "state"
            )
        ),
        "versions": versions,
        "payments": sorted(
            [reference, kind, charge, amount, method]
            for reference, kind, charge, amount, method in LedgerEntry.objects.values_list(
                "application__reference", "kind", "charge_kind", "amount_cents", "method"
            )
        ),
    }
