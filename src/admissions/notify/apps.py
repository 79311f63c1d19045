from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "admissions.notify"
    label = "notify"

    def ready(self) -> None:
        from admissions.applications.signals import status_changed
        from admissions.notify import webhooks

        status_changed.connect(webhooks.on_status_changed, dispatch_uid="notify.webhooks")
