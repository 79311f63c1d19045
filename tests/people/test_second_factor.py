"""Staff must have a second factor and pass it; candidates may, and are never forced."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings

from admissions.catalog.models import Campaign
from admissions.people.models import ApiToken, Role, User
from admissions.people.second_factor import Standing, login_method, standing
from admissions.people.tokens import new_secret
from tests.api.test_tokens import totp_now
from tests.factories import load_preset
from tests.people.accounts_helpers import SECRET, log_in, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required(settings: Settings) -> Iterator[None]:
    settings.STAFF_SECOND_FACTOR_REQUIRED = True
    cache.clear()  # allauth keeps the codes used and the attempts in the cache
    yield
    cache.clear()


@pytest.fixture
def nord() -> Campaign:
    return load_preset("imt-nord-europe")


@pytest.fixture
def officer(nord: Campaign) -> User:
    return person("officer@nord.example", Role.ADMISSIONS_OFFICER, nord.institution)


def test_staff_without_a_second_factor_are_sent_to_set_one_up(
    client: Client, officer: User
) -> None:
    log_in(client, officer.email)
    for path in ("/en/office/", "/en/office/queue/", "/en/me/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/en/office/second-factor/?next="), path
    page = client.get("/en/office/second-factor/?next=/en/office/queue/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Two-factor authentication is required" in text
    assert "a stolen password must not be enough" in text
    assert "/en/accounts/2fa/totp/activate/" in text
    assert "/en/accounts/2fa/webauthn/add/" in text
    french = client.get("/office/second-factor/").content.decode()
    assert "L’authentification à deux facteurs est obligatoire" in french
    # The pages where it is set up stay open.
    assert client.get("/en/accounts/2fa/").status_code == 200


def test_the_staff_api_refuses_a_session_without_the_second_factor(
    client: Client, officer: User
) -> None:
    log_in(client, officer.email)
    response = client.get("/api/v1/applications")
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_required"


def test_a_token_made_with_the_second_factor_still_works(officer: User) -> None:
    text, key_id, digest = new_secret()
    ApiToken.objects.create(user=officer, name="export", key_id=key_id, digest=digest)
    response = Client().get("/api/v1/applications", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert response.status_code == 200


def test_a_candidate_is_never_forced(client: Client) -> None:
    person("amina@example.org")
    log_in(client, "amina@example.org")
    assert client.get("/en/me/").status_code == 200


def test_staff_with_totp_pass_it_at_log_in_and_reach_the_office(
    client: Client, officer: User
) -> None:
    TOTP.activate(officer, SECRET)
    response = log_in(client, officer.email)
    assert response["Location"] == "/en/accounts/2fa/authenticate/"  # type: ignore[index]
    assert client.get("/en/office/").status_code == 302  # not logged in yet
    wrong = "000000" if totp_now(SECRET) != "000000" else "111111"
    client.post("/en/accounts/2fa/authenticate/", {"code": wrong})
    assert client.get("/en/office/").status_code == 302
    client.post("/en/accounts/2fa/authenticate/", {"code": totp_now(SECRET)})
    assert client.get("/en/office/").status_code == 200


def test_a_session_opened_without_the_second_factor_is_asked_for_it(
    client: Client, officer: User
) -> None:
    """The administration site's own log-in form checks only the password."""
    officer.is_staff = True
    officer.save()
    TOTP.activate(officer, SECRET)
    client.post(
        "/admin/login/", {"username": officer.email, "password": "Correct horse battery 42"}
    )
    response = client.get("/en/office/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/2fa/reauthenticate/?next=")
    assert client.get("/admin/").status_code == 302
    client.post("/en/accounts/2fa/reauthenticate/", {"code": totp_now(SECRET)})
    assert client.get("/en/office/").status_code == 200


# allauth tells of a new authenticator once its transaction commits, inside the request.
@pytest.mark.django_db(transaction=True)
def test_setting_up_totp_counts_as_passing_it(client: Client, officer: User) -> None:
    log_in(client, officer.email)
    page = client.get("/en/accounts/2fa/totp/activate/")
    if page.status_code == 302:  # allauth asks for the password again first
        client.post(page["Location"], {"password": "Correct horse battery 42"})
        page = client.get("/en/accounts/2fa/totp/activate/")
    secret = page.context["form"].secret
    client.post("/en/accounts/2fa/totp/activate/", {"code": totp_now(secret)})
    assert client.get("/en/office/").status_code == 200


def _request_with(user: User, *methods: dict[str, object]) -> object:
    request = RequestFactory().get("/")
    request.session = Client().session
    for method in methods:
        record_authentication(request, user, **method)  # type: ignore[arg-type]
    return request


def test_a_single_sign_on_counts_when_the_setting_says_the_provider_enforces_one(
    settings: Settings, officer: User
) -> None:
    request = _request_with(officer, {"method": "socialaccount", "provider": "saml"})
    assert standing(request, officer) is Standing.SATISFIED  # type: ignore[arg-type]
    settings.STAFF_SSO_SATISFIES_SECOND_FACTOR = False
    assert standing(request, officer) is Standing.ENROL  # type: ignore[arg-type]
    TOTP.activate(officer, SECRET)
    assert standing(request, officer) is Standing.CHALLENGE  # type: ignore[arg-type]


def test_a_password_alone_is_no_second_factor(officer: User) -> None:
    request = _request_with(officer, {"method": "password", "email": officer.email})
    assert standing(request, officer) is Standing.ENROL  # type: ignore[arg-type]


def test_the_log_names_how_the_log_in_was_made() -> None:
    assert login_method([{"method": "password"}]) == "password"
    assert login_method([{"method": "password"}, {"method": "mfa", "type": "totp"}]) == "mfa"
    assert login_method([{"method": "password"}, {"method": "mfa", "type": "webauthn"}]) == (
        "webauthn"
    )
    assert login_method([{"method": "socialaccount"}]) == "sso"


def test_production_refuses_the_policy_off() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from admissions.safety import check_production

    with pytest.raises(ImproperlyConfigured, match="STAFF_SECOND_FACTOR_REQUIRED"):
        check_production(
            debug=False,
            secret_key="x" * 40,
            allowed_hosts=["admissions.example"],
            database_url="postgres://db/admissions",
            clamd_address="127.0.0.1:3310",
            email_backend="django.core.mail.backends.smtp.EmailBackend",
            site_url="https://admissions.example",
            staff_second_factor=False,
        )
