from django.urls import include, path

from admissions.core.lazy_views import Views
from admissions.office import queue_views, views

# The staff's home and queue are imported with the URLconf: every staff member opens them.
# The other pages' views, with their forms and services, load with their first request
# (core/lazy_views.py): a web worker may serve none of them.
OFFICE = "admissions.office"
access_log_views = Views(f"{OFFICE}.access_log_views")
after_jury_views = Views(f"{OFFICE}.after_jury_views")
bank_details_views = Views(f"{OFFICE}.bank_details_views")
catalogue_views = Views(f"{OFFICE}.catalogue_views")
confirm_views = Views(f"{OFFICE}.confirm_views")
email_templates_views = Views(f"{OFFICE}.email_templates_views")
enrolment_views = Views(f"{OFFICE}.enrolment_views")
file_views = Views(f"{OFFICE}.file_views")
files_views = Views(f"{OFFICE}.files_views", csrf_exempt={"file_messages"})
jury_views = Views(f"{OFFICE}.jury_views")
login_log_views = Views(f"{OFFICE}.login_log_views")
outbox_views = Views(f"{OFFICE}.outbox_views")
places_views = Views(f"{OFFICE}.places_views")
report_views = Views(f"{OFFICE}.report_views")
second_factor_views = Views(f"{OFFICE}.second_factor_views")
slot_views = Views(f"{OFFICE}.slot_views")
tokens_views = Views(f"{OFFICE}.tokens_views")
webhook_views = Views(f"{OFFICE}.webhook_views")

app_name = "office"
urlpatterns = [
    path("", views.home, name="home"),
    path("export.csv", queue_views.export_csv, name="export"),
    path("queue/", queue_views.queue, name="queue"),
    path("queue/bulk/", queue_views.bulk, name="queue_bulk"),
    path("queue/export.xlsx", queue_views.export_xlsx, name="export_xlsx"),
    path("finance/", include("admissions.office.finance.urls")),
    path("preview/<uuid:public_id>/", file_views.preview, name="preview"),
    path("files/<str:reference>/", file_views.file_page, name="file"),
    path(
        "files/<str:reference>/documents/<slug:code>/",
        file_views.judge_document,
        name="judge_document",
    ),
    path("files/<str:reference>/complete/", file_views.mark_complete, name="mark_complete"),
    path(
        "files/<str:reference>/admissibility/",
        file_views.record_admissibility,
        name="admissibility",
    ),
    path("files/<str:reference>/invite/", file_views.invite, name="invite"),
    path("files/<str:reference>/interview/", file_views.record_interview, name="interview"),
    path("files/<str:reference>/notes/", file_views.add_note, name="note"),
    path("interviews/<int:programme_id>/", slot_views.slots, name="slots"),
    path("jury/", jury_views.session_list, name="jury_sessions"),
    path("jury/<int:pk>/", jury_views.session_page, name="jury_session"),
    path("jury/<int:pk>/minutes.pdf", jury_views.minutes, name="jury_minutes"),
    path("jury/<int:pk>/validate/", jury_views.validate, name="jury_validate"),
    path("jury/<int:pk>/publish/", jury_views.publish, name="jury_publish"),
    path("jury/<int:pk>/members/", jury_views.add_member, name="jury_add_member"),
    path(
        "jury/<int:pk>/members/<int:member_id>/presence/",
        jury_views.presence,
        name="jury_presence",
    ),
    path("jury/<int:pk>/agenda/", jury_views.place, name="jury_place"),
    path("jury/<int:pk>/files/<str:reference>/decide/", jury_views.decide, name="jury_decide"),
    path(
        "jury/<int:pk>/files/<str:reference>/conflict/",
        jury_views.declare_conflict,
        name="jury_conflict",
    ),
    path("places/", places_views.places_index, name="places_index"),
    path("reports/", report_views.reports_index, name="reports"),
    path("reports/<int:campaign_id>/", report_views.report, name="report"),
    path(
        "reports/<int:campaign_id>/report.<str:extension>",
        report_views.report_export,
        name="report_export",
    ),
    path(
        "reports/<int:campaign_id>/files.<str:extension>",
        report_views.files_export,
        name="report_files",
    ),
    path("enrolment.csv", enrolment_views.export, {"extension": "csv"}, name="enrolment_csv"),
    path("enrolment.xlsx", enrolment_views.export, {"extension": "xlsx"}, name="enrolment_xlsx"),
    path(
        "places/<int:programme_id>/<int:campaign_id>/",
        places_views.places_page,
        name="places",
    ),
    path("files/<str:reference>/release/", places_views.release, name="release_place"),
    path("files/<str:reference>/diploma/", after_jury_views.diploma, name="diploma"),
    path("files/<str:reference>/lift-condition/", after_jury_views.lift, name="lift_condition"),
    path("files/<str:reference>/visa/", after_jury_views.visa, name="visa"),
    path("rules-to-confirm/", confirm_views.values_page, name="to_confirm"),
    path("rules-to-confirm/<int:pk>/confirm/", confirm_views.confirm, name="confirm_value"),
    path("files/<str:reference>/history/", files_views.file_page, name="file_history"),
    path("files/<str:reference>/messages/", files_views.file_messages, name="file_messages"),
    path("messages/", files_views.messages_inbox, name="messages"),
    path("outbox/", outbox_views.outbox_list, name="outbox"),
    path("outbox/<int:pk>/", outbox_views.outbox_detail, name="outbox_detail"),
    path("outbox/<int:pk>/html/", outbox_views.outbox_html, name="outbox_html"),
    path("outbox/<int:pk>/resend/", outbox_views.outbox_resend, name="outbox_resend"),
    path("catalogue/", catalogue_views.catalogue_home, name="catalogue"),
    path(
        "catalogue/<int:campaign_id>/",
        catalogue_views.campaign_page,
        name="catalogue_campaign",
    ),
    path("catalogue/<int:campaign_id>/deadline/", catalogue_views.extend, name="catalogue_extend"),
    path(
        "catalogue/<int:campaign_id>/rulebook.toml",
        catalogue_views.export,
        name="catalogue_export",
    ),
    path(
        "catalogue/<int:campaign_id>/<slug:section>/",
        catalogue_views.edit,
        name="catalogue_edit",
    ),
    path(
        "catalogue/<int:campaign_id>/<slug:section>/<slug:key>/",
        catalogue_views.edit,
        name="catalogue_edit_item",
    ),
    path("tokens/", tokens_views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens_views.revoke, name="token_revoke"),
    path("webhooks/", webhook_views.endpoints, name="webhooks"),
    path("second-factor/", second_factor_views.second_factor, name="second_factor"),
    path("logins/", login_log_views.institutions, name="login_logs"),
    path("bank-details/", bank_details_views.institutions, name="bank_details_index"),
    path("bank-details/<slug:slug>/", bank_details_views.bank_details, name="bank_details"),
    path("logins/<slug:slug>/", login_log_views.login_log, name="login_log"),
    path("access-log/", access_log_views.institutions, name="access_logs"),
    path("access-log/<slug:slug>/", access_log_views.access_log, name="access_log"),
    path("webhooks/<int:pk>/", webhook_views.deliveries, name="webhook_deliveries"),
    path("webhooks/<int:pk>/disable/", webhook_views.disable, name="webhook_disable"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_id>/retry/",
        webhook_views.retry,
        name="webhook_retry",
    ),
    path("emails/", email_templates_views.template_list, name="email_templates"),
    path(
        "emails/<slug:slug>/<slug:code>/<str:language>/",
        email_templates_views.template_edit,
        name="email_template",
    ),
    path(
        "emails/<slug:slug>/<slug:code>/<str:language>/preview/",
        email_templates_views.template_preview,
        name="email_template_preview",
    ),
]
