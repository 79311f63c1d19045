from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "admissions.applications"
    label = "applications"
