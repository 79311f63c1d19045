from django.urls import include, path

from admissions.office import (
    confirm_views,
    email_templates_views,
    enrolment_views,
    file_views,
    files_views,
    outbox_views,
    places_views,
    slot_views,
    views,
)

app_name = "office"
urlpatterns = [
    path("", views.home, name="home"),
    path("export.csv", views.export, name="export"),
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
    path("places/", places_views.places_index, name="places_index"),
    path("enrolment.csv", enrolment_views.export, {"extension": "csv"}, name="enrolment_csv"),
    path("enrolment.xlsx", enrolment_views.export, {"extension": "xlsx"}, name="enrolment_xlsx"),
    path(
        "places/<int:programme_id>/<int:campaign_id>/",
        places_views.places_page,
        name="places",
    ),
    path("files/<str:reference>/release/", places_views.release, name="release_place"),
    path("rules-to-confirm/", confirm_views.values_page, name="to_confirm"),
    path("rules-to-confirm/<int:pk>/confirm/", confirm_views.confirm, name="confirm_value"),
    path("files/<str:reference>/history/", files_views.file_page, name="file_history"),
    path("files/<str:reference>/messages/", files_views.file_messages, name="file_messages"),
    path("messages/", files_views.messages_inbox, name="messages"),
    path("outbox/", outbox_views.outbox_list, name="outbox"),
    path("outbox/<int:pk>/", outbox_views.outbox_detail, name="outbox_detail"),
    path("outbox/<int:pk>/html/", outbox_views.outbox_html, name="outbox_html"),
    path("outbox/<int:pk>/resend/", outbox_views.outbox_resend, name="outbox_resend"),
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
