"""The documents pages of a file, for its candidate and the staff who may read it.

Mounted with the office's document pages under one `documents` namespace by the root URLconf,
so that the paths people and emails know stay the same.
"""

from django.urls import URLPattern, path

from admissions.portal import documents_views as views

urlpatterns: list[URLPattern] = [
    path("file/<uuid:public_id>/", views.download, name="download"),
    path("<str:reference>/", views.document_list, name="list"),
    path("<str:reference>/bundle/", views.bundle, name="bundle"),
    path("<str:reference>/import/", views.import_archive, name="import"),
    path("<str:reference>/<slug:code>/upload/", views.upload, name="upload"),
    path(
        "<str:reference>/<slug:code>/translation/upload/",
        views.upload_translation,
        name="upload_translation",
    ),
    path("<str:reference>/<slug:code>/delete/", views.delete, name="delete"),
    path("<str:reference>/<slug:code>/language/", views.language, name="language"),
]
