from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "admissions.notify"
    label = "notify"
