from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "admissions.portal"
    label = "portal"

    def ready(self) -> None:
        # Decided files' status pages are rendered ahead once their publication commits.
        from admissions.people import session_riders
        from admissions.portal import status_ahead, status_rider

        status_ahead.connect()
        # A status page's version is read in the session's statement.
        session_riders.register(status_rider.RIDER)
