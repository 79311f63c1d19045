from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "admissions.notify"
    label = "notify"

    def ready(self) -> None:
        from admissions.applications.signals import status_changed, statuses_changed
        from admissions.notify import account_alerts, webhooks
        from admissions.people.signals import new_device_login

        status_changed.connect(webhooks.on_status_changed, dispatch_uid="notify.webhooks")
        statuses_changed.connect(
            webhooks.on_statuses_changed, dispatch_uid="notify.webhooks_in_bulk"
        )
        new_device_login.connect(
            account_alerts.on_new_device_login, dispatch_uid="notify.new_device_login"
        )
