"""Supporting documents: one Document per checklist item of a file, its versions, quarantine.

A Document is the slot ("the diploma of this application"); each file put in it is a
DocumentVersion, kept when replaced so that staff can see what was sent before. Files live
in the default storage under random keys (see `documents.storage`) and leave it only
through the permission-checked download view. Infected files never become versions: they
are moved under the quarantine prefix and recorded as QuarantinedFile, which no view serves.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admissions.documents.lifecycle import DocumentState
from admissions.documents.refusals import render


class ScanStatus(models.TextChoices):
    CLEAN = "clean", _("Scanned, clean")
    INFECTED = "infected", _("Infected (quarantined)")
    NOT_SCANNED = "not_scanned", _("Not scanned: no antivirus configured")
    ERROR = "error", _("Scan failed: to be scanned again")


# Versions whose file may be handed to a reader.
SERVABLE_SCANS = frozenset({ScanStatus.CLEAN, ScanStatus.NOT_SCANNED})


class Document(models.Model):
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="documents"
    )
    requirement_code = models.CharField(_("requirement"), max_length=60)
    # A certified translation is a document of its own, linked to the one it translates.
    translation_of = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="translation",
    )
    state = models.CharField(
        _("state"), max_length=30, choices=DocumentState.choices, default=DocumentState.MISSING
    )
    # Why the last upload was refused on arrival: a code and its parameters (refusals.py).
    refusal_code = models.CharField(max_length=40, blank=True)
    refusal_params = models.JSONField(default=dict, blank=True)
    # Why staff rejected the file, in their words, shown to the candidate.
    staff_reason = models.TextField(_("reason"), blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # A number the rulebook asks with the file (`number_label`: the CVEC attestation's).
    number = models.CharField(_("number"), max_length=40, blank=True)
    foreign_language = models.BooleanField(_("in a foreign language"), default=False)
    current_version = models.ForeignKey(
        "DocumentVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    state_changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "requirement_code"],
                condition=Q(translation_of__isnull=True),
                name="one_document_per_requirement",
            )
        ]
        indexes = [models.Index(fields=["application", "requirement_code"])]
        ordering = ["application_id", "requirement_code", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        suffix = " (translation)" if self.translation_of_id else ""
        return f"{self.application_id}/{self.requirement_code}{suffix}"

    @property
    def state_enum(self) -> DocumentState:
        return DocumentState(self.state)

    @property
    def is_translation(self) -> bool:
        return self.translation_of_id is not None

    @property
    def refusal_message(self) -> str:
        return render(self.refusal_code, self.refusal_params) if self.refusal_code else ""


class DocumentVersion(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(max_length=255)
    original_filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField("SHA-256", max_length=64)
    detected_type = models.CharField(_("type"), max_length=20)
    content_type = models.CharField(max_length=80)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    width = models.PositiveIntegerField(_("width in pixels"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height in pixels"), null=True, blank=True)
    scan_status = models.CharField(_("antivirus"), max_length=20, choices=ScanStatus.choices)
    scan_detail = models.CharField(max_length=255, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    # The validity date given with this file; the document's own is its current version's.
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_number_unique")
        ]
        ordering = ["document_id", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def servable(self) -> bool:
        return self.scan_status in SERVABLE_SCANS and bool(self.file.name)

    @property
    def extension(self) -> str:
        return {"pdf": "pdf", "jpeg": "jpg"}.get(self.detected_type, "bin")


class QuarantinedFile(models.Model):
    """A file the antivirus found infected: kept for inspection, never served by any view."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="quarantined_files"
    )
    requirement_code = models.CharField(max_length=60)
    # Set when a version first stored unscanned was later found infected.
    version = models.OneToOneField(
        DocumentVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    storage_key = models.CharField(max_length=255)
    original_filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    signature = models.CharField(_("threat found"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quarantined file")
        verbose_name_plural = _("quarantined files")

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.signature})"


class AccessKind(models.TextChoices):
    VIEW = "view", _("Viewed")
    DOWNLOAD = "download", _("Downloaded")
    BUNDLE = "bundle", _("Downloaded in the file's ZIP")


class DocumentAccess(models.Model):
    """One view or download of a candidate's document by someone other than the candidate.

    Written by the views that hand the file out (`documents.serving`), read by the
    institution's administrators; the names of the file and document are copied so that the
    row still says what was read once the document is erased. Kept for the institution's
    `privacy.retention.access_log_months`.
    """

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.CASCADE, related_name="+"
    )
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(max_length=40)
    requirement_code = models.CharField(max_length=60)
    version_number = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=AccessKind.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [
            # The administrator's log, newest first, whole or for one staff member or file.
            models.Index(fields=["institution", "-at", "-id"], name="document_access_order"),
            models.Index(fields=["institution", "user", "-at", "-id"], name="document_access_user"),
            models.Index(
                fields=["institution", "application", "-at", "-id"], name="document_access_file"
            ),
        ]
        ordering = ["-at", "-id"]
        verbose_name = _("document access")
        verbose_name_plural = _("document accesses")

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.reference}/{self.requirement_code}"
