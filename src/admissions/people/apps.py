from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "admissions.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        # The flag a candidate's pages read instead of their roles; connecting needs the
        # models loaded, only true once `ready` runs.
        import datetime as dt

        from allauth.mfa.signals import authenticator_added
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_delete, post_save

        from admissions.core.scheduler import Job, register
        from admissions.people import login_log, second_factor
        from admissions.people.models import StaffRole
        from admissions.people.roles_flag import role_deleted, role_saved

        post_save.connect(role_saved, sender=StaffRole, dispatch_uid="people.role_saved")
        post_delete.connect(role_deleted, sender=StaffRole, dispatch_uid="people.role_deleted")
        user_logged_in.connect(login_log.on_logged_in, dispatch_uid="people.logged_in")
        user_login_failed.connect(login_log.on_login_failed, dispatch_uid="people.login_failed")
        authenticator_added.connect(second_factor.on_factor_added, dispatch_uid="people.factor")
        register(Job("login_log_retention", login_log.run_job, every=dt.timedelta(hours=6)))
