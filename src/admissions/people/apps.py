from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "admissions.people"
    label = "people"
