from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "admissions.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from admissions.catalog import offer
        from admissions.catalog.models import Campaign, Institution, Programme, Site

        # What is open is read again as soon as this process changes the catalogue.
        for model in (Institution, Site, Programme, Campaign):
            post_save.connect(offer.forget, sender=model, dispatch_uid=f"offer-{model.__name__}")
            post_delete.connect(
                offer.forget, sender=model, dispatch_uid=f"offer-delete-{model.__name__}"
            )
