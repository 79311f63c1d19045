from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "admissions.review"
    label = "review"
