from django.urls import path

from admissions.documents import staff_import, views

app_name = "documents"
urlpatterns = [
    path("file/<uuid:public_id>/", views.download, name="download"),
    # Before "<reference>/": "import" is no reference.
    path("import/", staff_import.new_file, name="import_new"),
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
    path("<str:reference>/<slug:code>/review/", views.review_document, name="review"),
]
