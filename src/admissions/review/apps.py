from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "admissions.review"
    label = "review"

    def ready(self) -> None:
        # The receivers write outbox rows for the review's own signals; connecting them
        # needs the models loaded, which is only true once `ready` runs.
        from admissions.review import emails

        emails.connect()
