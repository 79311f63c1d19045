"""The catalogue is visible in the Django admin and cannot be edited there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from admissions.catalog.models import Campaign, Institution, JurySession, Programme, Site
from admissions.catalog.services import load_rulebook
from admissions.rulebooks import preset_path
from admissions.rules.rulebook import read_rulebook

pytestmark = pytest.mark.django_db
MODELS = (Institution, Site, Programme, Campaign, JurySession)


@pytest.fixture
def staff_client(client: Client, django_user_model: type) -> Client:
    user = django_user_model.objects.create_superuser(
        email="root@example.org", password="a long password 1"
    )
    client.force_login(user)
    load_rulebook(read_rulebook(preset_path("imt-nord-europe")))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_catalogue_model_is_registered(model: type) -> None:
    assert admin.site.is_registered(model)


@pytest.mark.parametrize("model", MODELS)
def test_lists_and_pages_show_but_do_not_edit(staff_client: Client, model: type) -> None:
    meta = model._meta
    listing = staff_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert listing.status_code == 200
    row = model.objects.first()
    page = staff_client.get(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])
    )
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    adding = staff_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    assert adding.status_code == 403


def test_the_campaign_page_shows_its_frozen_rulebook(staff_client: Client) -> None:
    campaign = Campaign.objects.get()
    page = staff_client.get(reverse("admin:catalog_campaign_change", args=[campaign.pk]))
    content = page.content.decode()
    assert "FR7610071590000000102433444" in content
    assert "jury-2024-03" in content
