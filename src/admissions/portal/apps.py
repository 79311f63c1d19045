from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "admissions.portal"
    label = "portal"

    def ready(self) -> None:
        # Decided files' status pages are rendered ahead once their publication commits.
        from admissions.portal import status_ahead

        status_ahead.connect()
