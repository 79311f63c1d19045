from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "admissions.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        # The flag a candidate's pages read instead of their roles; connecting needs the
        # models loaded, only true once `ready` runs.
        from django.db.models.signals import post_delete, post_save

        from admissions.people.models import StaffRole
        from admissions.people.roles_flag import role_deleted, role_saved

        post_save.connect(role_saved, sender=StaffRole, dispatch_uid="people.role_saved")
        post_delete.connect(role_deleted, sender=StaffRole, dispatch_uid="people.role_deleted")
