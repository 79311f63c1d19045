from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "admissions.office"
    label = "office"
