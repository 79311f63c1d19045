from django.apps import AppConfig


class JuryConfig(AppConfig):
    name = "admissions.jury"
    label = "jury"
