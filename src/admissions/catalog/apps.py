from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "admissions.catalog"
    label = "catalog"
