from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "admissions.office"
    label = "office"

    def ready(self) -> None:
        # The home's cached figures are counted again once a file moves or its messages
        # change; connecting needs the models loaded, only true once `ready` runs.
        from admissions.applications.signals import status_changed
        from admissions.office.home_figures import files_changed
        from admissions.workflow.signals import messages_changed

        status_changed.connect(files_changed, dispatch_uid="office.home_figures.moved")
        messages_changed.connect(files_changed, dispatch_uid="office.home_figures.messages")
