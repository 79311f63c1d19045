from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "admissions.documents"
    label = "documents"
