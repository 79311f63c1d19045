from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "admissions.core"
    label = "core"
