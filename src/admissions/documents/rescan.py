"""Scanning again the files whose antivirus scan could not run when they arrived.

A clean result makes the file its document's current one, unless a newer file arrived
meanwhile; a threat moves it to quarantine and tells the officers, as on arrival.
"""

from __future__ import annotations

from typing import BinaryIO, cast

from django.db import transaction
from django.utils import timezone

from admissions.core import antivirus
from admissions.documents import history, storage
from admissions.documents.models import Document, DocumentVersion, QuarantinedFile, ScanStatus
from admissions.documents.refusals import RefusalCode
from admissions.documents.services import (
    document_event,
    make_current,
    record_infection,
    version_details,
)


def pending_scans() -> list[DocumentVersion]:
    return list(DocumentVersion.objects.filter(scan_status=ScanStatus.ERROR).order_by("pk"))


def retry_scan(version: DocumentVersion) -> str:
    """Scan again a version whose scan failed; returns its scan status afterwards.

    A clean result makes it the document's file unless a newer one arrived meanwhile; a
    threat moves it to quarantine. Running it twice does nothing the second time.
    """
    if version.scan_status != ScanStatus.ERROR:
        return version.scan_status
    client = antivirus.configured_client()
    outcome = ScanStatus.NOT_SCANNED
    signature = ""
    if client is not None:
        with storage.open_file(version.file.name or "") as handle:
            result = client.scan_stream(cast(BinaryIO, handle))
        if result.infected:
            outcome, signature = ScanStatus.INFECTED, result.signature or "unknown"
        elif result.clean:
            outcome = ScanStatus.CLEAN
        else:
            DocumentVersion.objects.filter(pk=version.pk).update(scan_detail=result.detail[:255])
            return ScanStatus.ERROR
    quarantine_key: str | None = None
    try:
        if outcome == ScanStatus.INFECTED:
            quarantine_key = storage.new_key(storage.QUARANTINE)
            quarantine_key = storage.copy(version.file.name or "", quarantine_key)
        with transaction.atomic():
            application = history.lock_application(version.document.application)
            fresh = DocumentVersion.objects.select_related("document").get(pk=version.pk)
            if fresh.scan_status != ScanStatus.ERROR:
                storage.delete_quietly(quarantine_key)
                return fresh.scan_status
            document = Document.objects.select_for_update().get(pk=fresh.document_id)
            old_key = fresh.file.name
            fresh.scan_status = outcome
            fresh.scanned_at = timezone.now() if outcome == ScanStatus.CLEAN else None
            fresh.scan_detail = ""
            if quarantine_key is not None:
                fresh.file = ""
                fresh.save()
                quarantined = QuarantinedFile.objects.create(
                    application=application,
                    requirement_code=document.requirement_code,
                    version=fresh,
                    storage_key=quarantine_key,
                    original_filename=fresh.original_filename,
                    size=fresh.size,
                    sha256=fresh.sha256,
                    signature=signature[:255],
                    uploaded_by=fresh.uploaded_by,
                )
                if document.current_version_id is None:
                    record_infection(application, document, quarantined, None)
                else:
                    document_event(
                        application,
                        "infected",
                        None,
                        document,
                        reason=RefusalCode.INFECTED.value,
                        signature=signature,
                        quarantined=quarantined.pk,
                        **version_details(fresh),
                    )
                transaction.on_commit(lambda: storage.delete_quietly(old_key))
            else:
                fresh.save()
                current = document.current_version
                if current is None or fresh.number > current.number:
                    make_current(application, document, fresh, None)
                    document.save()
                else:
                    document_event(
                        application, "scan_completed", None, document, **version_details(fresh)
                    )
    except BaseException:
        storage.delete_quietly(quarantine_key)
        raise
    version.refresh_from_db()
    return version.scan_status
