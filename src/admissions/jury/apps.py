from django.apps import AppConfig


class JuryConfig(AppConfig):
    name = "admissions.jury"
    label = "jury"

    def ready(self) -> None:
        # The periodic jobs and the admission letter's maker need the models loaded.
        from admissions.jury import documents, jobs
        from admissions.notify import attachments
        from admissions.workflow.jobs import JOBS

        for kind in documents.ADMITTING_KINDS:
            attachments.register(kind, documents.letter_for_email)
        names = {job.name for job in JOBS}
        # Before the last job, which sends what the others queued.
        JOBS[-1:-1] = [job for job in jobs.JURY_JOBS if job.name not in names]
