import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "admissions.privacy"
    label = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        # The job list (`workflow.jobs`) sits in a layer that may not import this package.
        from admissions.core.scheduler import Job, register
        from admissions.privacy import retention

        register(Job("personal_data_retention", retention.run_job, every=dt.timedelta(hours=6)))
