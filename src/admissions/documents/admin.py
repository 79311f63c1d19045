"""Read-only views of documents for platform administrators.

Changes go through the services (pages, API), which write the history; the admin only shows.
It never links to a file: files leave storage only through the permission-checked download
view, and quarantined files not at all.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from admissions.documents.models import Document, DocumentVersion, QuarantinedFile

VERSION_FIELDS = (
    "number",
    "original_filename",
    "size",
    "sha256",
    "detected_type",
    "page_count",
    "width",
    "height",
    "scan_status",
    "scan_detail",
    "valid_until",
    "uploaded_by",
    "created_at",
)


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VersionInline(ReadOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = DocumentVersion
    fields = VERSION_FIELDS
    readonly_fields = VERSION_FIELDS
    extra = 0
    can_delete = False


@admin.register(Document)
class DocumentAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("application", "requirement_code", "translation_of", "state", "valid_until")
    list_filter = ("state", "foreign_language")
    search_fields = ("application__reference", "requirement_code")
    readonly_fields = (
        "application",
        "requirement_code",
        "translation_of",
        "state",
        "refusal_code",
        "refusal_params",
        "staff_reason",
        "valid_until",
        "foreign_language",
        "current_version",
        "created_at",
        "state_changed_at",
    )
    exclude = ("updated_at",)
    inlines = [VersionInline]


@admin.register(QuarantinedFile)
class QuarantinedFileAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "created_at",
        "application",
        "requirement_code",
        "original_filename",
        "signature",
    )
    search_fields = ("application__reference", "sha256", "signature")
    readonly_fields = (
        "application",
        "requirement_code",
        "version",
        "storage_key",
        "original_filename",
        "size",
        "sha256",
        "signature",
        "uploaded_by",
        "created_at",
    )
