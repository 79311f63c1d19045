from django.urls import include, path

from admissions.office import file_views, slot_views, views

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
]
