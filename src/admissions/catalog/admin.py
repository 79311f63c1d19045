"""The catalogue in the Django admin, read-only: rulebooks are its only source.

A change made here would be undone by the next `load_rulebook`, so the pages show the rows
and the rulebook they came from, and the rulebook file is what an operator edits.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from admissions.catalog.models import Campaign, Institution, JurySession, Programme, Site


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline[Any, Any]):
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _pretty(data: object) -> SafeString:
    return format_html("<pre>{}</pre>", json.dumps(data, indent=2, ensure_ascii=False))


class SiteInline(ReadOnlyInline):
    model = Site
    fields = ("slug", "name", "phone", "is_active")


class ProgrammeInline(ReadOnlyInline):
    model = Programme
    fields = ("slug", "name_fr", "site", "capacity", "tracks", "is_active")


class JurySessionInline(ReadOnlyInline):
    model = JurySession
    fields = ("slug", "name_fr", "month", "date", "files_cutoff", "is_active")


@admin.register(Institution)
class InstitutionAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "contact_email", "rulebook_digest", "updated_at")
    search_fields = ("name", "slug")
    exclude = ("rulebook",)
    readonly_fields = ("rulebook_as_loaded",)
    inlines = (SiteInline, ProgrammeInline)

    @admin.display(description=_("rulebook as loaded"))
    def rulebook_as_loaded(self, obj: Institution) -> SafeString:
        return _pretty(obj.rulebook)


@admin.register(Site)
class SiteAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "institution", "phone", "is_active")
    list_filter = ("institution", "is_active")
    search_fields = ("name", "slug")


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ("name_fr", "slug", "institution", "site", "capacity", "is_active")
    list_filter = ("institution", "is_active", "site")
    search_fields = ("name_fr", "name_en", "slug")


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = (
        "name_fr",
        "slug",
        "institution",
        "opens_on",
        "closes_on",
        "international_deadline",
        "rulebook_digest",
    )
    list_filter = ("institution",)
    search_fields = ("name_fr", "slug")
    date_hierarchy = "opens_on"
    exclude = ("rulebook",)
    readonly_fields = ("rulebook_frozen",)
    inlines = (JurySessionInline,)

    @admin.display(description=_("rulebook frozen for this campaign"))
    def rulebook_frozen(self, obj: Campaign) -> SafeString:
        return _pretty(obj.rulebook)


@admin.register(JurySession)
class JurySessionAdmin(ReadOnlyAdmin):
    list_display = ("name_fr", "slug", "campaign", "month", "date", "is_active")
    list_filter = ("campaign__institution", "is_active")
    search_fields = ("name_fr", "slug")
