from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "admissions.api"
    label = "api"
