"""`saml_idp`: an institution's identity provider read from federation metadata."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from admissions.catalog.models import Institution, Programme
from admissions.people.identity_providers import IdentityProvider, normalise_certificate
from admissions.people.models import Role, User
from tests.factories import load_preset
from tests.people import saml_idp

pytestmark = pytest.mark.django_db

REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"


def _descriptor(entity_id: str, sso_url: str, certificate_pem: str) -> str:
    body = "".join(certificate_pem.strip().splitlines()[1:-1])
    return f"""
  <md:EntityDescriptor entityID="{entity_id}">
    <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>
        <ds:X509Certificate>{body}</ds:X509Certificate>
      </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
      <md:SingleSignOnService Binding="{REDIRECT}" Location="{sso_url}"/>
    </md:IDPSSODescriptor>
  </md:EntityDescriptor>"""


def test_an_idp_is_picked_from_federation_metadata(tmp_path: Path) -> None:
    load_preset("imt-nord-europe")
    ours, theirs = saml_idp.key_pair("ours"), saml_idp.key_pair("theirs")
    federation = tmp_path / "renater.xml"
    federation.write_text(
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        + _descriptor(
            "https://idp.other.fr/idp/shibboleth",
            "https://idp.other.fr/sso",
            theirs.certificate_pem,
        )
        + _descriptor(
            "https://idp.imt-nord-europe.fr/idp/shibboleth",
            "https://idp.imt-nord-europe.fr/idp/profile/SAML2/Redirect/SSO",
            ours.certificate_pem,
        )
        + "</md:EntitiesDescriptor>"
    )
    programme = Programme.objects.filter(institution__slug="imt-nord-europe").first()
    assert programme is not None
    call_command(
        "saml_idp",
        "imt-nord-europe",
        "--metadata",
        str(federation),
        "--entity-id",
        "https://idp.imt-nord-europe.fr/idp/shibboleth",
        "--rule",
        "eduPersonEntitlement=urn:mace:imt-nord-europe.fr:admissions:officers->admissions_officer",
        "--rule",
        f"eduPersonAffiliation=faculty->pedagogical_lead@{programme.slug}",
    )
    provider = IdentityProvider.objects.get(institution__slug="imt-nord-europe")
    assert provider.entity_id == "https://idp.imt-nord-europe.fr/idp/shibboleth"
    assert provider.sso_url == "https://idp.imt-nord-europe.fr/idp/profile/SAML2/Redirect/SSO"
    assert provider.x509cert == normalise_certificate(ours.certificate_pem)
    assert provider.enabled
    rules = {(r.attribute, r.value, r.role, r.programme_id) for r in provider.rules.all()}
    assert rules == {
        (
            "eduPersonEntitlement",
            "urn:mace:imt-nord-europe.fr:admissions:officers",
            Role.ADMISSIONS_OFFICER,
            None,
        ),
        ("eduPersonAffiliation", "faculty", Role.PEDAGOGICAL_LEAD, programme.pk),
    }


def test_mistakes_are_refused_with_a_reason(tmp_path: Path) -> None:
    load_preset("imt-nord-europe")
    with pytest.raises(CommandError, match="No institution"):
        call_command("saml_idp", "nowhere")
    with pytest.raises(CommandError, match="no identity provider yet"):
        call_command("saml_idp", "imt-nord-europe")
    metadata = tmp_path / "idp.xml"
    metadata.write_text(
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        + _descriptor(
            "https://idp.example/",
            "https://idp.example/sso",
            saml_idp.key_pair("x").certificate_pem,
        )
        + "</md:EntitiesDescriptor>"
    )
    with pytest.raises(CommandError, match="no identity provider"):
        call_command(
            "saml_idp",
            "imt-nord-europe",
            "--metadata",
            str(metadata),
            "--entity-id",
            "https://missing.example/",
        )
    with pytest.raises(CommandError, match="write ATTRIBUTE=VALUE->ROLE"):
        call_command(
            "saml_idp",
            "imt-nord-europe",
            "--metadata",
            str(metadata),
            "--rule",
            "eduPersonAffiliation=staff->platform_admin",
        )
    # Refused as a whole: nothing was kept.
    assert not IdentityProvider.objects.exists()
    assert Institution.objects.filter(slug="imt-nord-europe").exists()


def test_a_certificate_is_kept_as_pem_whatever_its_form() -> None:
    pem = saml_idp.key_pair("x").certificate_pem
    bare = "".join(pem.strip().splitlines()[1:-1])
    assert normalise_certificate(bare) == normalise_certificate(pem)
    assert normalise_certificate(pem).startswith("-----BEGIN CERTIFICATE-----\n")
    with pytest.raises(ValueError, match=r"not an X\.509 certificate"):
        normalise_certificate("not a certificate")
    with pytest.raises(ValueError, match=r"not an X\.509 certificate"):
        normalise_certificate("aGVsbG8=")


def test_the_platform_administrator_sets_an_idp_in_the_admin() -> None:
    load_preset("imt-nord-europe")
    load_preset("imt-bs")
    nord = Institution.objects.get(slug="imt-nord-europe")
    elsewhere = Programme.objects.filter(institution__slug="imt-bs").first()
    assert elsewhere is not None
    admin = User.objects.create_superuser("root@example.org", "a long enough password")
    client = Client()
    client.force_login(admin)
    assert client.get("/en/admin/people/identityprovider/add/").status_code == 200
    certificate = saml_idp.key_pair("idp").certificate_pem
    form = {
        "institution": nord.pk,
        "label": "",
        "entity_id": "https://idp.imt-nord-europe.fr/idp/shibboleth",
        "sso_url": "https://idp.imt-nord-europe.fr/sso",
        "slo_url": "",
        "x509cert": "".join(certificate.strip().splitlines()[1:-1]),
        "enabled": "on",
        "rules-TOTAL_FORMS": "1",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        "rules-0-attribute": "eduPersonAffiliation",
        "rules-0-value": "staff",
        "rules-0-role": Role.ADMISSIONS_OFFICER,
        "rules-0-programme": elsewhere.pk,
    }
    refused = client.post("/en/admin/people/identityprovider/add/", form)
    assert refused.status_code == 200
    assert "This programme belongs to another institution." in refused.content.decode()
    form["rules-0-programme"] = ""
    form["x509cert"] = "not a certificate"
    refused = client.post("/en/admin/people/identityprovider/add/", form)
    assert "This is not an X.509 certificate" in refused.content.decode()
    form["x509cert"] = "".join(certificate.strip().splitlines()[1:-1])
    assert client.post("/en/admin/people/identityprovider/add/", form).status_code == 302
    provider = IdentityProvider.objects.get(institution=nord)
    assert provider.x509cert == normalise_certificate(certificate)
    assert provider.rules.get().role == Role.ADMISSIONS_OFFICER
    assert client.get("/en/admin/people/ssorolechange/").status_code == 200
