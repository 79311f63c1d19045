import datetime as dt

from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "admissions.review"
    label = "review"

    def ready(self) -> None:
        # The receivers write outbox rows for the review's own signals; connecting them
        # needs the models loaded, which is only true once `ready` runs.
        from admissions.core.scheduler import Job, register
        from admissions.review import emails, reminders

        emails.connect()
        # Every quarter of an hour, like the other reminders: a booking made today for
        # tomorrow is reminded within the quarter.
        register(Job("interview_reminders", reminders.run_job, every=dt.timedelta(minutes=15)))
