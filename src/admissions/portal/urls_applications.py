"""The candidate's application pages and the public eligibility self-check."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, register_converter

from admissions.portal import applications_views as views
from admissions.portal import interview_views, messages_views, self_check_views


class ReferenceConverter:
    """An application reference as printed: NE-2024-000123."""

    regex = r"[A-Z0-9]{1,8}-[0-9]{4}-[0-9]{6,}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

urlpatterns: list[URLPattern | URLResolver] = [
    path("eligibility/", self_check_views.self_check, name="self_check"),
    path("me/applications/", views.application_list, name="applications"),
    path("me/applications/new/", views.application_new, name="application_new"),
    path(
        "me/applications/new/<int:campaign_id>/<int:programme_id>/",
        views.application_start,
        name="application_start",
    ),
    path("me/applications/<reference:reference>/", views.application_detail, name="application"),
    path(
        "me/applications/<reference:reference>/interview/",
        interview_views.interview,
        name="application_interview",
    ),
    path(
        "me/applications/<reference:reference>/interview/book/",
        interview_views.book,
        name="application_interview_book",
    ),
    path(
        "me/applications/<reference:reference>/interview/cancel/",
        interview_views.cancel,
        name="application_interview_cancel",
    ),
    path(
        "me/applications/<reference:reference>/status/",
        views.application_status,
        name="application_status",
    ),
    path(
        "me/applications/<reference:reference>/campus-france/",
        views.application_campus_france,
        name="application_campus_france",
    ),
    path(
        "me/applications/<reference:reference>/admission-certificate/",
        views.application_certificate,
        name="application_certificate",
    ),
    path(
        "me/applications/<reference:reference>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path(
        "me/applications/<reference:reference>/fee-transfer-made/",
        views.application_declare_transfer,
        name="application_declare_transfer",
    ),
    path(
        "me/applications/<reference:reference>/confirm/",
        views.application_confirm,
        name="application_confirm",
    ),
    path(
        "me/applications/<reference:reference>/decline/",
        views.application_decline,
        name="application_decline",
    ),
    path(
        "me/applications/<reference:reference>/messages/",
        messages_views.application_messages,
        name="application_messages",
    ),
    path(
        "messages/file/<uuid:public_id>/",
        messages_views.message_attachment,
        name="message_attachment",
    ),
    path(
        "applications/<reference:reference>/fee-paid/",
        views.application_mark_fee_paid,
        name="application_mark_fee_paid",
    ),
]
