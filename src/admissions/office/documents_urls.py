"""The officers' document pages, under the `documents` namespace (see portal.documents_urls)."""

from django.urls import URLPattern, path

from admissions.office import documents_views, newfile_views

urlpatterns: list[URLPattern] = [
    # Before the portal's "<reference>/": "import" is no reference.
    path("import/", newfile_views.new_file, name="import_new"),
    path("<str:reference>/ask/", documents_views.ask_document, name="ask"),
    path("<str:reference>/<slug:code>/review/", documents_views.review_document, name="review"),
]
