from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "admissions.applications"
    label = "applications"

    def ready(self) -> None:
        from admissions.applications import confirmation

        confirmation.connect()
