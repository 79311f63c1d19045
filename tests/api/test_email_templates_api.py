"""An institution's wording of its emails through the API: read, saved, reset and previewed
by its administrators through the page's services; 404 to anyone else, as the page does."""

from __future__ import annotations

from django.test import Client

from admissions.catalog.models import Campaign
from admissions.notify.models import TemplateOverride
from admissions.people.models import Role
from tests.api.test_staff_api import as_
from tests.factories import eligible_candidate, staff_member

JSON = "application/json"
SUBJECT = "Dossier {reference} : complet"
BODY = "Bonjour {candidate_name},\n\nVotre dossier est complet."


def url(campaign: Campaign, kind: str = "file_complete", language: str = "fr") -> str:
    return f"/api/v1/staff/institutions/{campaign.institution.slug}/emails/{kind}/{language}"


def test_the_administrator_rewords_an_email(bs: Campaign) -> None:
    admin = as_(staff_member(Role.INSTITUTION_ADMIN, institution=bs.institution))
    read = admin.get(url(bs))
    assert read.status_code == 200, read.content
    assert read.json()["overridden"] is False
    assert "reference" in {row["name"] for row in read.json()["placeholders"]}
    saved = admin.put(url(bs), {"subject": SUBJECT, "body": BODY}, content_type=JSON)
    assert saved.status_code == 200, saved.content
    assert saved.json()["overridden"] is True
    assert saved.json()["subject"] == SUBJECT
    override = TemplateOverride.objects.get(institution=bs.institution, kind="file_complete")
    assert override.language == "fr"
    assert override.body == BODY
    reset = admin.delete(url(bs))
    assert reset.status_code == 204
    assert not TemplateOverride.objects.exists()
    assert admin.get(url(bs)).json()["overridden"] is False


def test_a_refused_text_says_why_by_field_and_saves_nothing(bs: Campaign) -> None:
    admin = as_(staff_member(Role.INSTITUTION_ADMIN, institution=bs.institution))
    refused = admin.put(url(bs), {"subject": SUBJECT, "body": "Note : {score}"}, content_type=JSON)
    assert refused.status_code == 422
    assert refused.json()["code"] == "validation_failed"
    assert "body" in refused.json()["details"]
    assert "subject" not in refused.json()["details"]
    missing = admin.put(url(bs), {"subject": SUBJECT}, content_type=JSON)
    assert missing.status_code == 422
    assert missing.json()["details"][0]["field"] == "body"
    french = admin.put(
        url(bs),
        {"subject": "", "body": BODY},
        content_type=JSON,
        headers={"Accept-Language": "fr"},
    )
    assert french.json()["details"]["subject"] == ["Écrivez un objet."]
    assert not TemplateOverride.objects.exists()


def test_the_preview_fills_the_wording_or_the_platform_s(bs: Campaign) -> None:
    admin = as_(staff_member(Role.INSTITUTION_ADMIN, institution=bs.institution))
    preview = url(bs) + "/preview"
    own = admin.post(preview, {"subject": SUBJECT, "body": BODY}, content_type=JSON)
    assert own.status_code == 200, own.content
    assert own.json()["subject"].endswith("Dossier NE-2024-000123 : complet")
    assert "{reference}" not in own.json()["subject"]
    assert "Votre dossier est complet." in own.json()["text"]
    assert "<html" in own.json()["html"]
    platform = admin.post(preview, {}, content_type=JSON)
    assert platform.status_code == 200
    assert platform.json()["subject"] != own.json()["subject"]
    refused = admin.post(preview, {"subject": "{", "body": BODY}, content_type=JSON)
    assert refused.status_code == 422
    assert "subject" in refused.json()["details"]
    assert not TemplateOverride.objects.exists()


def test_nobody_else_reaches_an_institution_s_emails(bs: Campaign, nord: Campaign) -> None:
    body = {"subject": SUBJECT, "body": BODY}
    for outsider in (
        eligible_candidate(),
        staff_member(Role.INSTITUTION_ADMIN, institution=nord.institution),
        # The page answers 404 to the school's staff who do not administer it.
        staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution),
    ):
        client = as_(outsider)
        assert client.get(url(bs)).status_code == 404
        answer = client.put(url(bs), body, content_type=JSON)
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"
        assert client.delete(url(bs)).status_code == 404
        assert client.post(url(bs) + "/preview", body, content_type=JSON).status_code == 404
    anonymous = Client().put(url(bs), body, content_type=JSON)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    admin = as_(staff_member(Role.INSTITUTION_ADMIN, institution=bs.institution))
    assert admin.get(url(bs, kind="account")).status_code == 404
    assert admin.get(url(bs, language="de")).status_code == 404
    assert not TemplateOverride.objects.exists()
