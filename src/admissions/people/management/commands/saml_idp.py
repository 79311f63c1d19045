"""`saml_idp INSTITUTION --metadata FILE [--entity-id ID]`: connect an institution's IdP.

Reads the identity provider's entity ID, single sign-on URL (HTTP-Redirect binding) and
signing certificate from SAML metadata: the IdP's own, or a federation's (RENATER's
Fédération Éducation-Recherche), from which `--entity-id` picks the institution's IdP.
Role mapping rules are added with `--rule "ATTRIBUTE=VALUE->ROLE[@PROGRAMME]"` (an arrow, as
entitlement values are URNs full of colons).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from admissions.catalog.models import Institution, Programme
from admissions.people.identity_providers import (
    MAPPABLE_ROLES,
    IdentityProvider,
    RoleMappingRule,
)


class Command(BaseCommand):
    help = (
        "Connect an institution's SAML 2 identity provider from its metadata, and add role "
        "mapping rules (ATTRIBUTE=VALUE->ROLE[@PROGRAMME-SLUG])."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("institution", help="the institution's slug")
        parser.add_argument("--metadata", type=Path, help="an IdP's or a federation's metadata")
        parser.add_argument("--entity-id", help="the IdP to pick from a federation's metadata")
        parser.add_argument("--rule", action="append", default=[], metavar="ATTR=VALUE->ROLE")
        parser.add_argument("--disable", action="store_true", help="stop offering this way in")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            institution = Institution.objects.get(slug=options["institution"])
        except Institution.DoesNotExist:
            raise CommandError(f"No institution {options['institution']!r}.") from None
        provider = IdentityProvider.objects.filter(institution=institution).first()
        if options["metadata"] is not None:
            provider = provider or IdentityProvider(institution=institution)
            self._read_metadata(provider, options["metadata"], options["entity_id"])
        if provider is None:
            raise CommandError("This institution has no identity provider yet: give --metadata.")
        provider.enabled = not options["disable"]
        try:
            provider.full_clean()
        except ValidationError as error:
            raise CommandError(str(error.message_dict)) from None
        provider.save()
        for text in options["rule"]:
            self._add_rule(provider, text)
        self.stdout.write(
            f"{institution.slug}: {provider.entity_id} -> {provider.sso_url}, "
            f"{provider.rules.count()} rule(s), {'enabled' if provider.enabled else 'disabled'}"
        )

    def _read_metadata(self, provider: IdentityProvider, path: Path, entity_id: str | None) -> None:
        try:
            parsed = OneLogin_Saml2_IdPMetadataParser.parse(
                path.read_bytes(),
                required_sso_binding=OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
                entity_id=entity_id,
            )
        except Exception as error:
            raise CommandError(f"{path}: unreadable metadata ({error}).") from None
        idp = parsed.get("idp", {})
        certificates = idp.get("x509certMulti", {}).get("signing") or [idp.get("x509cert")]
        if not idp.get("entityId") or not idp.get("singleSignOnService", {}).get("url"):
            raise CommandError(
                f"{path}: no identity provider with an HTTP-Redirect single sign-on service"
                + (f" for {entity_id}" if entity_id else "")
                + "."
            )
        if not certificates or not certificates[0]:
            raise CommandError(f"{path}: the identity provider has no signing certificate.")
        provider.entity_id = idp["entityId"]
        provider.sso_url = idp["singleSignOnService"]["url"]
        provider.slo_url = idp.get("singleLogoutService", {}).get("url", "")
        provider.x509cert = certificates[0]

    def _add_rule(self, provider: IdentityProvider, text: str) -> None:
        condition, _, grant = text.rpartition("->")
        attribute, _, value = condition.partition("=")
        role, _, programme_slug = grant.partition("@")
        if not attribute or not value or role not in dict(MAPPABLE_ROLES):
            roles = ", ".join(dict(MAPPABLE_ROLES))
            raise CommandError(f"Rule {text!r}: write ATTRIBUTE=VALUE->ROLE, ROLE among {roles}.")
        programme = None
        if programme_slug:
            programme = Programme.objects.filter(
                institution_id=provider.institution_id, slug=programme_slug
            ).first()
            if programme is None:
                raise CommandError(f"Rule {text!r}: no programme {programme_slug!r} here.")
        RoleMappingRule.objects.get_or_create(
            identity_provider=provider,
            attribute=attribute,
            value=value,
            role=role,
            programme=programme,
        )
