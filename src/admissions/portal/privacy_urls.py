"""The privacy notice and the candidate's data pages, under the `privacy` namespace."""

from django.urls import URLPattern, path

from admissions.core.lazy_views import Views

# Each view loads with its first request (core/lazy_views.py).
views = Views("admissions.portal.privacy_views")

app_name = "privacy"
urlpatterns: list[URLPattern] = [
    path("", views.notice, name="notice"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/export.zip", views.export, name="export"),
    path("my-data/erase/", views.erase, name="erase"),
    path("erased/", views.erased, name="erased"),
]
