"""The candidate's application pages and the public eligibility self-check."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path, register_converter

from admissions.core.lazy_views import Views
from admissions.portal import applications_views as views
from admissions.portal.references import ReferenceConverter

# A file's other pages load their views with their first request (core/lazy_views.py).
interview_views = Views("admissions.portal.interview_views")
messages_views = Views("admissions.portal.messages_views", csrf_exempt={"application_messages"})
self_check_views = Views("admissions.portal.self_check_views")

register_converter(ReferenceConverter, "reference")

# A file's pages, under its reference: Django finds one after checking the prefix once,
# and the page candidates load most (the status page) first.
FILE_PAGES: list[URLPattern | URLResolver] = [
    path(
        "status/",
        views.application_status,
        name="application_status",
    ),
    path("", views.application_detail, name="application"),
    path(
        "interview/",
        interview_views.interview,
        name="application_interview",
    ),
    path(
        "interview/book/",
        interview_views.book,
        name="application_interview_book",
    ),
    path(
        "interview/cancel/",
        interview_views.cancel,
        name="application_interview_cancel",
    ),
    path(
        "campus-france/",
        views.application_campus_france,
        name="application_campus_france",
    ),
    path(
        "admission-certificate/",
        views.application_certificate,
        name="application_certificate",
    ),
    path(
        "withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path(
        "fee-transfer-made/",
        views.application_declare_transfer,
        name="application_declare_transfer",
    ),
    path(
        "confirm/",
        views.application_confirm,
        name="application_confirm",
    ),
    path(
        "decline/",
        views.application_decline,
        name="application_decline",
    ),
    path(
        "messages/",
        messages_views.application_messages,
        name="application_messages",
    ),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("eligibility/", self_check_views.self_check, name="self_check"),
    path("me/applications/", views.application_list, name="applications"),
    path("me/applications/new/", views.application_new, name="application_new"),
    path(
        "me/applications/new/<int:campaign_id>/<int:programme_id>/",
        views.application_start,
        name="application_start",
    ),
    path("me/applications/<reference:reference>/", include(FILE_PAGES)),
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
