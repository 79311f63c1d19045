from django.apps import AppConfig


class JuryConfig(AppConfig):
    name = "admissions.jury"
    label = "jury"

    def ready(self) -> None:
        # The periodic jobs and the admission letter's maker need the models loaded.
        from admissions.core.scheduler import register
        from admissions.jury import documents, jobs
        from admissions.notify import attachments

        for kind in documents.ADMITTING_KINDS:
            attachments.register(kind, documents.letter_for_email)
        for job in jobs.JURY_JOBS:
            register(job)
