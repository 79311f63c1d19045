"""Single sign-on for staff: each institution's SAML 2 identity provider and role mapping.

The platform administrator sets them in the Django admin or with `manage.py saml_idp`
(docs/operations.md#single-sign-on-for-staff). The platform's own key and certificate (the
service provider's) come from files named in the environment, never from the database.
"""

from __future__ import annotations

import base64
import binascii

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from admissions.people.models import Role, User

# The attributes of the eduPerson schema, as RENATER's federation releases them, by the
# name an operator writes in a mapping rule; a rule may also name an attribute by its URI.
ATTRIBUTE_NAMES = {
    "eduPersonAffiliation": "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",
    "eduPersonScopedAffiliation": "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
    "eduPersonEntitlement": "urn:oid:1.3.6.1.4.1.5923.1.1.1.7",
    "eduPersonPrincipalName": "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
    "isMemberOf": "urn:oid:1.3.6.1.4.1.5923.1.5.1.1",
    "mail": "urn:oid:0.9.2342.19200300.100.1.3",
    "givenName": "urn:oid:2.5.4.42",
    "sn": "urn:oid:2.5.4.4",
    "subject-id": "urn:oasis:names:tc:SAML:attribute:subject-id",
}

# Roles an institution's identity provider may grant: never the platform's own.
MAPPABLE_ROLES = [(value, label) for value, label in Role.choices if value != Role.PLATFORM_ADMIN]


class IdentityProvider(models.Model):
    """The SAML 2 identity provider (a Shibboleth IdP, say) an institution's staff log in with."""

    institution = models.OneToOneField(
        "catalog.Institution",
        on_delete=models.CASCADE,
        related_name="identity_provider",
        verbose_name=_("institution"),
    )
    label = models.CharField(
        _("label"),
        max_length=120,
        blank=True,
        help_text=_("What the log-in page shows; the institution's name when empty."),
    )
    entity_id = models.CharField(_("entity ID"), max_length=500)
    sso_url = models.URLField(_("single sign-on URL (HTTP-Redirect binding)"), max_length=500)
    slo_url = models.URLField(_("single logout URL"), max_length=500, blank=True)
    x509cert = models.TextField(
        _("signing certificate"),
        help_text=_("The identity provider's signing certificate, in PEM or bare base64."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self) -> str:
        return self.label or str(self.institution)

    def clean(self) -> None:
        try:
            self.x509cert = normalise_certificate(self.x509cert)
        except ValueError:
            raise ValidationError(
                {"x509cert": _("This is not an X.509 certificate, in PEM or in base64.")}
            ) from None

    @property
    def slug(self) -> str:
        """The institution's slug: the stable part of the service provider's URLs."""
        return str(self.institution.slug)

    @property
    def provider_id(self) -> str:
        # The accounts of each identity provider in their own namespace: two schools' IdPs
        # may both say "jdupont" for different people.
        return f"saml-{self.slug}"


class RoleMappingRule(models.Model):
    """A staff role granted to whoever the identity provider says holds an attribute value."""

    identity_provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="rules"
    )
    attribute = models.CharField(
        _("attribute"),
        max_length=200,
        help_text=_("eduPersonAffiliation, eduPersonEntitlement, isMemberOf, or an attribute URI."),
    )
    value = models.CharField(_("value"), max_length=500)
    role = models.CharField(_("role"), max_length=30, choices=MAPPABLE_ROLES)
    programme = models.ForeignKey(
        "catalog.Programme",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme"),
        help_text=_("Empty: the role covers every programme of the institution."),
    )

    class Meta:
        verbose_name = _("role mapping rule")
        verbose_name_plural = _("role mapping rules")
        constraints = [
            models.UniqueConstraint(
                fields=["identity_provider", "attribute", "value", "role", "programme"],
                name="role_mapping_rule_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.attribute}={self.value} → {self.role}"

    def clean(self) -> None:
        provider = getattr(self, "identity_provider", None)
        if (
            self.programme is not None
            and provider is not None
            and self.programme.institution_id != provider.institution_id
        ):
            raise ValidationError(
                {"programme": _("This programme belongs to another institution.")}
            )

    @property
    def attribute_uri(self) -> str:
        return ATTRIBUTE_NAMES.get(self.attribute, self.attribute)


class SsoRoleChange(models.Model):
    """A staff role granted or removed at a log-in through an identity provider."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    programme = models.ForeignKey(
        "catalog.Programme", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role change at single sign-on")
        verbose_name_plural = _("role changes at single sign-on")
        indexes = [models.Index(fields=["user", "at"], name="sso_role_change_user_at")]

    def __str__(self) -> str:
        return f"{self.user} {'+' if self.granted else '-'}{self.role}"


def normalise_certificate(text: str) -> str:
    """The certificate as PEM, from PEM or bare base64 (as metadata holds it).

    Raises ValueError when the text is no X.509 certificate.
    """
    body = "".join(
        line.strip() for line in text.strip().splitlines() if not line.startswith("-----")
    )
    # cryptography's X.509 module weighs about 8 MiB: loaded by the first certificate read,
    # not by every web process (tests/test_startup.py).
    from cryptography import x509

    try:
        der = base64.b64decode(body, validate=True)
        x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError) as error:
        raise ValueError("not an X.509 certificate") from error
    lines = [body[start : start + 64] for start in range(0, len(body), 64)]
    return "\n".join(["-----BEGIN CERTIFICATE-----", *lines, "-----END CERTIFICATE-----", ""])
