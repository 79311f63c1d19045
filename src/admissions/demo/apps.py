from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "admissions.demo"
    label = "demo"
    verbose_name = "Demonstration data"
