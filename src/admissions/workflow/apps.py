from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "admissions.workflow"
    label = "workflow"

    def ready(self) -> None:
        # The module's receivers act on the core's signals; connecting them needs the
        # models loaded, which is only true once `ready` runs.
        from admissions.workflow import confirmation, declared_transfers, sent_back, waitlist

        confirmation.connect()
        declared_transfers.connect()
        sent_back.connect()
        waitlist.connect()
