"""The Django admin view of applications: read-only facts, history, and one staff action.

Statuses are changed by service functions only, so nothing here edits a status.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Programme
from admissions.core.errors import DomainError
from admissions.jury.irrevocable import DecisionPublishedError, refuse_published
from admissions.jury.models import Decision
from admissions.people.bank_rights import BankDetailsPermission
from admissions.people.models import User
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


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin[Decision]):
    """Decisions are read here; they are entered and validated on the deliberation page.

    A published one is irrevocable: a change or deletion posted here is refused and written
    in the file's history, with who tried and through the admin site.
    """

    list_display = ("application", "session", "outcome", "waitlist_rank", "published_at")
    list_filter = ("outcome", "session")
    search_fields = ("application__reference",)
    readonly_fields = (
        "application",
        "session",
        "outcome",
        "waitlist_rank",
        "reason",
        "derogatory",
        "entered_by",
        "entered_at",
        "validated_by",
        "validated_at",
        "published_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Decision | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Decision | None = None) -> bool:
        return False

    def _refuse_post(self, request: HttpRequest, object_id: str | None, path: str) -> None:
        if request.method != "POST" or not object_id or not object_id.isdigit():
            return
        user = request.user
        try:
            refuse_published(
                Decision.objects.filter(pk=int(object_id)),
                via=path,
                by=user if isinstance(user, User) else None,
            )
        except DecisionPublishedError as error:
            raise PermissionDenied(error.message) from None

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, object] | None = None,
    ) -> HttpResponse:
        self._refuse_post(request, object_id, "admin change")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, object] | None = None
    ) -> HttpResponse:
        self._refuse_post(request, object_id, "admin delete")
        return super().delete_view(request, object_id, extra_context)


@admin.register(BankDetailsPermission)
class BankDetailsPermissionAdmin(admin.ModelAdmin[BankDetailsPermission]):
    """Granted by name: being an institution's administrator is not enough to change where
    its candidates' money goes."""

    list_display = ("user", "institution", "granted_at", "granted_by")
    fields = ("user", "institution")
    raw_id_fields = ("user",)

    def save_model(
        self, request: HttpRequest, obj: BankDetailsPermission, form: object, change: bool
    ) -> None:
        if not change and isinstance(request.user, User):
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
