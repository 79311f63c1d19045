"""Staff log-ins through their institution's SAML 2 identity provider, with allauth's SAML provider.

allauth checks the response (signature, audience, time window, InResponseTo against the
request this browser started, which it forgets once used); this adapter supplies the
identity providers from the database, then decides who may come in: a person matching no
rule of the institution's role mapping is refused, never given a candidate account.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from admissions.people.identity_providers import ATTRIBUTE_NAMES, IdentityProvider
from admissions.people.models import User
from admissions.people.sso_roles import follow_mapping, mapped_roles, may_link

PROVIDER = "saml"
PREFIX = "saml-"

# Why a log-in was refused, as the page says it.
REFUSALS = {
    "unmapped": _(
        "Your institution's directory does not give you a role on this platform. If you "
        "should have one, ask your institution's administrator of the platform."
    ),
    "no_email": _(
        "Your institution's directory did not release your email address, which the "
        "platform needs. Ask your institution's IT service."
    ),
    "account_taken": _(
        "An account of this platform that your institution cannot manage already uses your "
        "email address (an applicant's account, or a role at another institution). Ask the "
        "platform's administrators."
    ),
}


def service_provider_keys() -> tuple[str, str] | None:
    """The platform's SAML private key and certificate (PEM), or None when not set."""
    if not settings.SAML_SP_KEY or not settings.SAML_SP_CERTIFICATE:
        return None
    return settings.SAML_SP_KEY, settings.SAML_SP_CERTIFICATE


def app_settings(provider: IdentityProvider, keys: tuple[str, str]) -> dict[str, Any]:
    """allauth's SAML settings for one institution's identity provider."""
    private_key, certificate = keys
    idp = {
        "entity_id": provider.entity_id,
        "sso_url": provider.sso_url,
        "x509cert": provider.x509cert,
    }
    if provider.slo_url:
        idp["slo_url"] = provider.slo_url
    return {
        "idp": idp,
        "attribute_mapping": {
            "uid": [ATTRIBUTE_NAMES["subject-id"], ATTRIBUTE_NAMES["eduPersonPrincipalName"]],
            "email": [ATTRIBUTE_NAMES["mail"]],
            "first_name": [ATTRIBUTE_NAMES["givenName"]],
            "last_name": [ATTRIBUTE_NAMES["sn"]],
        },
        # The institution vouches for its staff's addresses.
        "verified_email": True,
        "advanced": {
            "strict": True,
            "authn_request_signed": True,
            "want_assertion_signed": True,
            "reject_idp_initiated_sso": True,
            "private_key": private_key,
            "x509cert": certificate,
        },
    }


def social_apps(provider: str | None = None, client_id: str | None = None) -> list[SocialApp]:
    """The enabled identity providers as allauth apps (never saved: the database holds ours)."""
    if provider is not None and provider != PROVIDER and not provider.startswith(PREFIX):
        return []
    keys = service_provider_keys()
    if keys is None:
        return []
    rows = IdentityProvider.objects.filter(enabled=True).select_related("institution")
    if provider is not None and provider.startswith(PREFIX):
        rows = rows.filter(institution__slug=provider.removeprefix(PREFIX))
    if client_id is not None:
        rows = rows.filter(institution__slug=client_id)
    return [
        SocialApp(
            provider=PROVIDER,
            provider_id=row.provider_id,
            client_id=row.slug,
            name=str(row),
            settings=app_settings(row, keys),
        )
        for row in rows
    ]


def speak_the_readers_language(request: HttpRequest) -> None:
    """Answer in the reader's language (cookie, then browser) on SAML's unprefixed URLs.

    They carry no language prefix, as identity providers know them by one address; the
    pages that follow (a refusal, the back office) are in the language the person reads.
    """
    language = translation.get_language_from_request(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language


def refuse(request: HttpRequest, reason: str) -> ImmediateHttpResponse:
    page = render(request, "account/sso_refused.html", {"reason": REFUSALS[reason]}, status=403)
    return ImmediateHttpResponse(page)


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        return social_apps(provider, client_id)

    def on_authentication_error(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        speak_the_readers_language(request)
        super().on_authentication_error(request, *args, **kwargs)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        speak_the_readers_language(request)
        account = sociallogin.account
        provider = IdentityProvider.objects.select_related("institution").get(
            institution__slug=account.provider.removeprefix(PREFIX)
        )
        wanted = mapped_roles(account.extra_data or {}, provider.rules.all())
        if not wanted:
            raise refuse(request, "unmapped")
        user: User = sociallogin.user
        email = (user.email or "").lower()
        if not email:
            raise refuse(request, "no_email")
        if not sociallogin.is_existing:
            existing = User.objects.filter(email__iexact=email).first()
            if existing is None:
                # A new staff account: save_user below grants its roles.
                sociallogin.state["admissions_roles"] = sorted(wanted, key=str)
                return
            if not existing.holds_staff_role or not may_link(existing, provider):
                raise refuse(request, "account_taken")
            sociallogin.connect(request, existing)
            user = existing
        elif not may_link(user, provider):
            raise refuse(request, "account_taken")
        _update_names(user, account.extra_data or {})
        # The address the institution vouches for counts as verified for the log-in.
        EmailAddress.objects.filter(user=user, email__iexact=user.email).update(verified=True)
        if not EmailAddress.objects.filter(user=user, email__iexact=user.email).exists():
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        follow_mapping(user, provider, wanted)

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> User:
        user: User = super().save_user(request, sociallogin, form)
        provider = IdentityProvider.objects.get(
            institution__slug=sociallogin.account.provider.removeprefix(PREFIX)
        )
        wanted = {(role, programme) for role, programme in sociallogin.state["admissions_roles"]}
        follow_mapping(user, provider, wanted)
        return user


def _update_names(user: User, attributes: dict[str, list[str]]) -> None:
    # The directory is the reference for its staff's names: each log-in brings them.
    for field, attribute in (("first_name", "givenName"), ("last_name", "sn")):
        values = attributes.get(ATTRIBUTE_NAMES[attribute]) or [getattr(user, field)]
        setattr(user, field, values[0][:150])
    user.save(update_fields=["first_name", "last_name"])
