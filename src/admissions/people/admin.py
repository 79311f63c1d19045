"""The institutions' identity providers and role mappings, set by the platform administrator."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from admissions.people.identity_providers import IdentityProvider, RoleMappingRule, SsoRoleChange


class RoleMappingRuleInline(admin.TabularInline[RoleMappingRule, IdentityProvider]):
    model = RoleMappingRule
    extra = 1


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin[IdentityProvider]):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("institution", "entity_id", "enabled", "updated_at")
    list_filter = ("enabled",)
    inlines = (RoleMappingRuleInline,)
    list_select_related = ("institution",)


@admin.register(SsoRoleChange)
class SsoRoleChangeAdmin(admin.ModelAdmin[SsoRoleChange]):
    """The record of the roles log-ins granted and removed: read only."""

    list_display = ("at", "user", "institution", "role", "programme", "granted")
    list_filter = ("granted", "role", "institution")
    list_select_related = ("user", "institution", "programme")
    search_fields = ("user__email",)
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
