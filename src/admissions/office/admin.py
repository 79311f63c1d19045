"""The Django admin view of applications: read-only facts, history, and one staff action.

Statuses are changed by service functions only, so nothing here edits a status.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Programme
from admissions.core.errors import DomainError
from admissions.people.permissions import programme_filter
from admissions.workflow.fees import mark_fee_paid

# The admin speaks of the platform, in the reader's language, not of Django.
admin.site.site_header = _("Admissions administration")
admin.site.site_title = _("Admissions administration")
admin.site.index_title = _("Platform administration")


class ApplicationEventInline(admin.TabularInline[ApplicationEvent, Application]):
    model = ApplicationEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "details")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin[Application]):
    list_display = ("reference", "candidate", "programme", "campaign", "status", "submitted_at")
    list_filter = ("status", "campaign", "programme")
    search_fields = ("reference", "candidate__email", "candidate__last_name")
    readonly_fields = (
        "reference",
        "candidate",
        "campaign",
        "programme",
        "track",
        "financing_mode",
        "status",
        "cover_letter",
        "professional_project",
        "eligibility",
        "created_at",
        "updated_at",
        "submitted_at",
        "status_changed_at",
    )
    inlines = [ApplicationEventInline]
    actions = ["record_fee_paid"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        queryset = super().get_queryset(request).select_related("candidate", "programme")
        # Staff see only the programmes they are assigned to, here as everywhere.
        allowed = programme_filter(request.user)  # type: ignore[arg-type]
        return queryset.filter(programme__in=Programme.objects.filter(allowed))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Record the application fee as paid"))
    def record_fee_paid(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        recorded = 0
        for application in queryset:
            try:
                if mark_fee_paid(application, by=request.user, note="admin"):  # type: ignore[arg-type]
                    recorded += 1
            except DomainError as error:
                self.message_user(
                    request, f"{application.reference}: {error.message}", messages.ERROR
                )
        self.message_user(
            request,
            ngettext(
                "%(count)d application fee recorded as paid.",
                "%(count)d application fees recorded as paid.",
                recorded,
            )
            % {"count": recorded},
        )
