"""allauth's SAML and second-factor addresses, with each view loaded by its first request.

allauth's own URL modules import their views, which import python3-saml with lxml and
xmlsec (about 13 MiB) and WebAuthn's fido2 (about 3 MiB): every web process would hold them
from its first request on, though few requests sign in through an identity provider or set
up a second factor. The routes and names here are allauth's (`tests/people/test_auth_urls.py`
compares them, and the views' CSRF exemptions, with allauth's modules); each view is
imported where it is first called (`core/lazy_views.py`).
"""

from __future__ import annotations

from allauth.mfa import app_settings as mfa_settings
from django.urls import URLPattern, URLResolver, include, path, re_path

from admissions.core.lazy_views import lazy

SAML = "allauth.socialaccount.providers.saml.views"
MFA = "allauth.mfa"


saml_urlpatterns: list[URLPattern | URLResolver] = [
    re_path(
        r"^saml/(?P<organization_slug>[^/]+)/",
        include(
            [
                path("acs/", lazy(f"{SAML}.acs", csrf_exempt=True), name="saml_acs"),
                path("acs/finish/", lazy(f"{SAML}.finish_acs"), name="saml_finish_acs"),
                path("sls/", lazy(f"{SAML}.sls", csrf_exempt=True), name="saml_sls"),
                path("metadata/", lazy(f"{SAML}.metadata"), name="saml_metadata"),
                path("login/", lazy(f"{SAML}.login"), name="saml_login"),
            ]
        ),
    )
]


def _mfa_urlpatterns() -> list[URLPattern | URLResolver]:
    """allauth.mfa.urls, for the settings of this site."""
    base = f"{MFA}.base.views"
    found: list[URLPattern | URLResolver] = [
        path("", lazy(f"{base}.index"), name="mfa_index"),
        path("authenticate/", lazy(f"{base}.authenticate"), name="mfa_authenticate"),
        path("reauthenticate/", lazy(f"{base}.reauthenticate"), name="mfa_reauthenticate"),
    ]
    if mfa_settings._TRUST_STAGE_ENABLED:
        found.append(path("trust/", lazy(f"{base}.trust"), name="mfa_trust"))
    types = mfa_settings.SUPPORTED_TYPES
    if "totp" in types:
        totp = f"{MFA}.totp.views"
        found.append(
            path(
                "totp/",
                include(
                    [
                        path("activate/", lazy(f"{totp}.activate_totp"), name="mfa_activate_totp"),
                        path(
                            "deactivate/",
                            lazy(f"{totp}.deactivate_totp"),
                            name="mfa_deactivate_totp",
                        ),
                    ]
                ),
            )
        )
    if "recovery_codes" in types:
        codes = f"{MFA}.recovery_codes.views"
        found.append(
            path(
                "recovery-codes/",
                include(
                    [
                        path(
                            "",
                            lazy(f"{codes}.view_recovery_codes"),
                            name="mfa_view_recovery_codes",
                        ),
                        path(
                            "generate/",
                            lazy(f"{codes}.generate_recovery_codes"),
                            name="mfa_generate_recovery_codes",
                        ),
                        path(
                            "download/",
                            lazy(f"{codes}.download_recovery_codes"),
                            name="mfa_download_recovery_codes",
                        ),
                    ]
                ),
            )
        )
    if "webauthn" in types:
        keys = f"{MFA}.webauthn.views"
        webauthn: list[URLPattern | URLResolver] = [
            path("", lazy(f"{keys}.list_webauthn"), name="mfa_list_webauthn"),
            path("add/", lazy(f"{keys}.add_webauthn"), name="mfa_add_webauthn"),
            path(
                "reauthenticate/",
                lazy(f"{keys}.reauthenticate_webauthn"),
                name="mfa_reauthenticate_webauthn",
            ),
            path(
                "keys/<int:pk>/",
                include(
                    [
                        path(
                            "remove/", lazy(f"{keys}.remove_webauthn"), name="mfa_remove_webauthn"
                        ),
                        path("edit/", lazy(f"{keys}.edit_webauthn"), name="mfa_edit_webauthn"),
                    ]
                ),
            ),
        ]
        if mfa_settings.PASSKEY_LOGIN_ENABLED:
            webauthn.append(
                path("login/", lazy(f"{keys}.login_webauthn"), name="mfa_login_webauthn")
            )
        if mfa_settings.PASSKEY_SIGNUP_ENABLED:
            webauthn.append(
                path("signup/", lazy(f"{keys}.signup_webauthn"), name="mfa_signup_webauthn")
            )
        found.append(path("webauthn/", include(webauthn)))
    return found


mfa_urlpatterns = _mfa_urlpatterns()
