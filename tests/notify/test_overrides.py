"""An institution administrator rewords an email: previewed on sample data, checked, used."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.catalog.models import Campaign
from admissions.core.errors import NotAllowed, ValidationFailed
from admissions.notify import overrides
from admissions.notify.file_emails import send_file_complete
from admissions.notify.kinds import KINDS
from admissions.notify.models import TemplateOverride
from admissions.people.models import Role, User
from tests.factories import draft, programme_of, staff_member
from tests.notify.conftest import committed
from tests.notify.mail import mails
from tests.services.smtp import SmtpServer

SUBJECT = "Dossier {reference} complet"
BODY = "Bonjour {candidate_name},\n\nToutes vos pièces sont là. Suivez votre dossier : {link}"


@pytest.fixture
def admin(bs: Campaign) -> User:
    return staff_member(Role.INSTITUTION_ADMIN, institution=bs.institution)


def edit_url(campaign: Campaign, code: str = "file_complete", language: str = "fr") -> str:
    with translation.override("en"):
        return reverse("office:email_template", args=[campaign.institution.slug, code, language])


def test_an_override_is_used_for_the_institution_and_its_language_only(
    bs: Campaign,
    nord: Campaign,
    admin: User,
    candidate: User,
    english_candidate: User,
    smtp_inbox: SmtpServer,
) -> None:
    kind = KINDS["file_complete"]
    overrides.save_override(bs.institution, kind, "fr", subject=SUBJECT, body=BODY, by=admin)
    french = draft(candidate, bs, programme_of(bs, "ms-achats-supply-chain"))
    english = draft(english_candidate, bs, programme_of(bs, "ms-achats-supply-chain"))
    with committed():
        send_file_complete(french, event="t")
        send_file_complete(english, event="t")
    by_address = {mail.to[0]: mail for mail in mails(smtp_inbox.received)}
    mine = by_address[candidate.email]
    assert mine.subject == f"[IMT-BS] Dossier {french.reference} complet"
    assert "Bonjour Camille Durand," in mine.text
    assert "Toutes vos pièces sont là." in mine.html
    # The layout, the button and the footer are still the platform's.
    assert 'class="button"' in mine.html
    assert "execed@imt-bs.eu" in mine.html
    assert "Dossier" not in by_address[english_candidate.email].subject


def test_an_unknown_placeholder_is_refused_and_nothing_saved(bs: Campaign, admin: User) -> None:
    kind = KINDS["file_complete"]
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        overrides.save_override(
            bs.institution, kind, "fr", subject=SUBJECT, body="Note : {score}", by=admin
        )
    assert "Unknown placeholder {score}" in refused.value.details["body"][0]  # type: ignore[index]
    assert not TemplateOverride.objects.exists()


def test_only_the_institution_s_administrators_may(bs: Campaign, nord: Campaign) -> None:
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    other_admin = staff_member(Role.INSTITUTION_ADMIN, institution=nord.institution)
    for user in (officer, other_admin):
        with pytest.raises(NotAllowed):
            overrides.save_override(
                bs.institution, KINDS["file_complete"], "fr", subject=SUBJECT, body=BODY, by=user
            )
        client = Client()
        client.force_login(user)
        assert client.get(edit_url(bs)).status_code == 404


def test_the_page_refuses_a_bad_placeholder_with_a_sentence(bs: Campaign, admin: User) -> None:
    client = Client()
    client.force_login(admin)
    assert client.get(edit_url(bs)).status_code == 200
    response = client.post(edit_url(bs), {"subject": "Dossier {ref}", "body": BODY})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Unknown placeholder {ref}" in page
    assert "Dossier {ref}" in page  # what was typed is kept
    assert not TemplateOverride.objects.exists()
    saved = client.post(edit_url(bs), {"subject": SUBJECT, "body": BODY})
    assert saved.status_code == 302
    assert TemplateOverride.objects.get().subject == SUBJECT


def test_the_preview_fills_the_text_with_sample_data(bs: Campaign, admin: User) -> None:
    client = Client()
    client.force_login(admin)
    preview = edit_url(bs) + "preview/"
    response = client.post(preview, {"subject": SUBJECT, "body": BODY})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bonjour Camille Martin," in html
    assert "Dossier NE-2024-000123 complet" in html
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    refused = client.post(preview, {"subject": SUBJECT, "body": "{nope}"})
    assert refused.status_code == 422
    assert "{nope}" in refused.content.decode()
    default = client.post(preview, {"subject": "", "body": ""})
    assert "Votre dossier est complet" in default.content.decode()


def test_account_emails_are_not_reworded_per_school(bs: Campaign, admin: User) -> None:
    client = Client()
    client.force_login(admin)
    assert client.get(edit_url(bs, code="account")).status_code == 404
    listing = client.get(reverse("office:email_templates")).content.decode()
    assert "file_complete" in listing
