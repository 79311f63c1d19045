"""Staff log in through their institution's SAML 2 identity provider, one started here.

Each log-in goes the whole way: the platform sends a signed AuthnRequest (HTTP-Redirect) to
the identity provider served on 127.0.0.1, which checks its signature and answers with a
signed assertion posted back (HTTP-POST); the platform checks it, maps the attributes to
roles and logs the person in, or refuses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.cache import cache
from django.test import Client
from lxml import html
from pytest_django.fixtures import Settings as SettingsWrapper

from admissions.catalog.models import Campaign, Institution, Programme
from admissions.people.identity_providers import ATTRIBUTE_NAMES, IdentityProvider, RoleMappingRule
from admissions.people.models import Role, SsoRoleChange, StaffRole, User
from tests.factories import UserFactory, load_preset, programme_of, staff_member
from tests.people import saml_idp
from tests.people.saml_idp import KeyPair, Person, Spoil

pytestmark = pytest.mark.django_db

NORD = "imt-nord-europe"
ENTITLEMENT = ATTRIBUTE_NAMES["eduPersonEntitlement"]
AFFILIATION = ATTRIBUTE_NAMES["eduPersonAffiliation"]
OFFICERS = "urn:mace:imt-nord-europe.fr:admissions:officers"
# SAML takes no single-label host name ("testserver"): the platform is reached by this one.
HOST = "admissions.example"


def browser() -> Client:
    return Client(HTTP_HOST=HOST)


@pytest.fixture
def client() -> Client:
    return browser()


@pytest.fixture(scope="session")
def sp_keys() -> KeyPair:
    return saml_idp.key_pair("admissions service provider")


@pytest.fixture(scope="session")
def idp_keys() -> KeyPair:
    return saml_idp.key_pair("idp.imt-nord-europe.example")


@pytest.fixture
def idp(sp_keys: KeyPair, idp_keys: KeyPair) -> Iterator[saml_idp.IdentityProvider]:
    yield from saml_idp.serve(saml_idp.IdentityProvider(idp_keys, sp_keys.certificate))


@dataclass
class School:
    nord: Campaign
    other: Campaign
    provider: IdentityProvider

    @property
    def programme(self) -> Programme:
        return programme_of(self.nord)


@pytest.fixture
def school(
    idp: saml_idp.IdentityProvider,
    idp_keys: KeyPair,
    sp_keys: KeyPair,
    settings: SettingsWrapper,
) -> School:
    cache.clear()
    settings.ALLOWED_HOSTS = [HOST]
    settings.SAML_SP_KEY = sp_keys.key_pem
    settings.SAML_SP_CERTIFICATE = sp_keys.certificate_pem
    nord = load_preset(NORD)
    other = load_preset("imt-bs")
    provider = IdentityProvider.objects.create(
        institution=Institution.objects.get(slug=NORD),
        entity_id=idp.entity_id,
        sso_url=idp.sso_url,
        x509cert=idp_keys.certificate_pem,
    )
    RoleMappingRule.objects.create(
        identity_provider=provider,
        attribute="eduPersonEntitlement",
        value=OFFICERS,
        role=Role.ADMISSIONS_OFFICER,
    )
    return School(nord, other, provider)


def officer(
    uid: str = "jdupont@imt-nord-europe.fr", email: str = "j.dupont@imt-nord-europe.fr"
) -> Person:
    return Person(
        uid,
        {
            ATTRIBUTE_NAMES["mail"]: [email],
            ATTRIBUTE_NAMES["givenName"]: ["Jeanne"],
            ATTRIBUTE_NAMES["sn"]: ["Dupont"],
            AFFILIATION: ["staff", "member"],
            ENTITLEMENT: [OFFICERS],
        },
    )


@dataclass
class Answer:
    """The identity provider's form, as the browser would post it back."""

    action: str
    fields: dict[str, str]


def go_to_idp(client: Client, idp: saml_idp.IdentityProvider, slug: str = NORD) -> Answer:
    started = client.post(f"/accounts/saml/{slug}/login/", {"process": "login"})
    assert started.status_code == 302, started.content
    location = started["Location"]
    assert location.startswith(idp.sso_url + "?")
    assert "Signature" in parse_qs(urlsplit(location).query)
    page = requests.get(location, timeout=10)
    assert page.status_code == 200, page.text
    form = html.fromstring(page.text).forms[0]
    return Answer(form.action, dict(form.form_values()))


def post_back(client: Client, answer: Answer) -> tuple[int, str, str]:
    """Posts the answer to the assertion consumer; the final status, address and page."""
    posted = client.post(urlsplit(answer.action).path, answer.fields)
    assert posted.status_code == 302
    finished = client.get(posted["Location"], HTTP_ACCEPT_LANGUAGE="en")
    return finished.status_code, finished.get("Location", ""), finished.content.decode()


def log_in(client: Client, idp: saml_idp.IdentityProvider) -> tuple[int, str, str]:
    return post_back(client, go_to_idp(client, idp))


def test_the_service_provider_metadata_is_served_at_a_stable_address(
    client: Client, school: School, sp_keys: KeyPair
) -> None:
    # One address whatever the reader's language: the identity provider knows only it.
    assert client.get(f"/en/accounts/saml/{NORD}/metadata/").status_code == 404
    response = client.get(f"/accounts/saml/{NORD}/metadata/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    metadata = response.content.decode()
    assert 'AuthnRequestsSigned="true"' in metadata
    assert 'WantAssertionsSigned="true"' in metadata
    assert f"http://admissions.example/accounts/saml/{NORD}/acs/" in metadata
    certificate_body = "".join(sp_keys.certificate_pem.strip().splitlines()[1:-1])
    assert certificate_body in metadata.replace("\n", "")


def test_a_mapped_person_logs_in_with_the_mapped_role_and_scope(
    client: Client, school: School, idp: saml_idp.IdentityProvider
) -> None:
    idp.person = officer()
    status, location, _ = log_in(client, idp)
    assert (status, location) == (302, "/en/office/")
    # The request the identity provider received was the platform's, for this exchange.
    assert idp.requests[-1].get("AssertionConsumerServiceURL") == (
        f"http://admissions.example/accounts/saml/{NORD}/acs/"
    )
    user = User.objects.get(email="j.dupont@imt-nord-europe.fr")
    assert (user.first_name, user.last_name) == ("Jeanne", "Dupont")
    assert not user.has_usable_password()
    assert EmailAddress.objects.filter(user=user, verified=True).exists()
    roles = StaffRole.objects.filter(user=user)
    assert [(r.role, r.institution_id, r.programme_id) for r in roles] == [
        (Role.ADMISSIONS_OFFICER, school.provider.institution_id, None)
    ]
    assert SsoRoleChange.objects.filter(user=user, granted=True).count() == 1
    assert SocialAccount.objects.get(user=user).provider == f"saml-{NORD}"
    # Recorded as allauth records any third-party log-in.
    methods = client.session["account_authentication_methods"]
    assert methods[-1]["method"] == "socialaccount"
    assert client.get(f"/en/office/interviews/{school.programme.pk}/").status_code == 200
    outside = programme_of(school.other)
    assert client.get(f"/en/office/interviews/{outside.pk}/").status_code == 404


def test_a_rule_on_one_programme_scopes_the_role_to_it(
    client: Client, school: School, idp: saml_idp.IdentityProvider
) -> None:
    programmes = list(Programme.objects.filter(institution=school.provider.institution))
    assert len(programmes) >= 2
    RoleMappingRule.objects.create(
        identity_provider=school.provider,
        attribute="eduPersonAffiliation",
        value="faculty",
        role=Role.PEDAGOGICAL_LEAD,
        programme=programmes[0],
    )
    person = officer()
    person.attributes[ENTITLEMENT] = []
    person.attributes[AFFILIATION] = ["faculty"]
    idp.person = person
    status, location, _ = log_in(client, idp)
    assert (status, location) == (302, "/en/office/")
    user = User.objects.get(email="j.dupont@imt-nord-europe.fr")
    assert [(r.role, r.programme_id) for r in StaffRole.objects.filter(user=user)] == [
        (Role.PEDAGOGICAL_LEAD, programmes[0].pk)
    ]
    assert client.get(f"/en/office/interviews/{programmes[0].pk}/").status_code == 200
    assert client.get(f"/en/office/interviews/{programmes[1].pk}/").status_code == 404


def test_roles_follow_the_mapping_at_each_log_in(
    client: Client, school: School, idp: saml_idp.IdentityProvider
) -> None:
    RoleMappingRule.objects.create(
        identity_provider=school.provider,
        attribute="isMemberOf",
        value="cn=jury,ou=groups,dc=imt-nord-europe,dc=fr",
        role=Role.JURY_MEMBER,
    )
    person = officer()
    person.attributes[ATTRIBUTE_NAMES["isMemberOf"]] = [
        "cn=jury,ou=groups,dc=imt-nord-europe,dc=fr"
    ]
    idp.person = person
    assert log_in(client, idp)[:2] == (302, "/en/office/")
    user = User.objects.get(email="j.dupont@imt-nord-europe.fr")
    assert set(StaffRole.objects.filter(user=user).values_list("role", flat=True)) == {
        Role.ADMISSIONS_OFFICER,
        Role.JURY_MEMBER,
    }
    client.logout()
    # The directory no longer puts them in the jury group: the next log-in removes the role.
    person.attributes[ATTRIBUTE_NAMES["isMemberOf"]] = []
    assert log_in(client, idp)[:2] == (302, "/en/office/")
    assert set(StaffRole.objects.filter(user=user).values_list("role", flat=True)) == {
        Role.ADMISSIONS_OFFICER
    }
    removed = SsoRoleChange.objects.get(user=user, granted=False)
    assert removed.role == Role.JURY_MEMBER
    assert User.objects.filter(email="j.dupont@imt-nord-europe.fr").count() == 1


def test_an_unmapped_person_is_refused_and_gets_no_account(
    client: Client, school: School, idp: saml_idp.IdentityProvider
) -> None:
    person = officer(uid="student@imt-nord-europe.fr", email="student@imt-nord-europe.fr")
    person.attributes[ENTITLEMENT] = []
    person.attributes[AFFILIATION] = ["student"]
    idp.person = person
    status, _, page = log_in(client, idp)
    assert status == 403
    assert "does not give you a role on this platform" in page
    assert not User.objects.filter(email="student@imt-nord-europe.fr").exists()
    assert "_auth_user_id" not in client.session
    # In French too.
    client.cookies["django_language"] = "fr"
    assert log_in(client, idp)[0] == 403


def test_the_refusal_page_speaks_french(
    client: Client, school: School, idp: saml_idp.IdentityProvider
) -> None:
    person = officer()
    person.attributes[ENTITLEMENT] = []
    idp.person = person
    answer = go_to_idp(client, idp)
    posted = client.post(urlsplit(answer.action).path, answer.fields)
    finished = client.get(posted["Location"], HTTP_ACCEPT_LANGUAGE="fr")
    assert finished.status_code == 403
    assert "Connexion refusée" in finished.content.decode()


def test_an_existing_staff_account_with_the_same_address_is_linked(
    client: Client, school: School, idp: saml_idp.IdentityProvider
) -> None:
    existing = staff_member(Role.FINANCE_OFFICER, institution=school.provider.institution)
    existing.email = "j.dupont@imt-nord-europe.fr"
    existing.save()
    EmailAddress.objects.create(user=existing, email=existing.email, verified=True, primary=True)
    idp.person = officer(email="J.Dupont@imt-nord-europe.fr")
    assert log_in(client, idp)[:2] == (302, "/en/office/")
    assert User.objects.filter(email__iexact="j.dupont@imt-nord-europe.fr").count() == 1
    assert int(client.session["_auth_user_id"]) == existing.pk
    assert SocialAccount.objects.get(user=existing).uid == "jdupont@imt-nord-europe.fr"
    # The mapping is the reference for the institution's roles.
    assert list(StaffRole.objects.filter(user=existing).values_list("role", flat=True)) == [
        Role.ADMISSIONS_OFFICER
    ]


@pytest.mark.parametrize("kind", ["candidate", "other_school", "platform"])
def test_an_account_the_institution_cannot_manage_is_not_taken_over(
    client: Client, school: School, idp: saml_idp.IdentityProvider, kind: str
) -> None:
    email = "j.dupont@imt-nord-europe.fr"
    if kind == "candidate":
        account = UserFactory(email=email)
    elif kind == "other_school":
        account = staff_member(Role.ADMISSIONS_OFFICER, institution=school.other.institution)
    else:
        account = staff_member(Role.PLATFORM_ADMIN)
    User.objects.filter(pk=account.pk).update(email=email)
    idp.person = officer()
    status, _, page = log_in(client, idp)
    assert status == 403
    assert "already uses your email address" in page
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()
    assert (
        StaffRole.objects.filter(user=account, institution=school.provider.institution).count() == 0
    )


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        pytest.param(Spoil(tamper=True), "Signature validation failed", id="tampered"),
        pytest.param(Spoil(unsigned=True), "is not signed", id="unsigned"),
        pytest.param(Spoil(issued_ago=saml_idp.dt.timedelta(hours=1)), "expired", id="expired"),
        pytest.param(
            Spoil(audience="https://another-service.example/sp"),
            "is not a valid audience",
            id="wrong-audience",
        ),
    ],
)
def test_a_spoilt_assertion_is_refused(
    client: Client,
    school: School,
    idp: saml_idp.IdentityProvider,
    spoil: Spoil,
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    idp.person = officer()
    idp.spoil = spoil
    status, _, page = log_in(client, idp)
    assert status == 401
    assert "could not be accepted" in page
    assert reason in caplog.text
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="j.dupont@imt-nord-europe.fr").exists()


def test_an_assertion_signed_by_another_key_is_refused(
    client: Client, school: School, idp: saml_idp.IdentityProvider
) -> None:
    idp.keys = saml_idp.key_pair("someone else")
    idp.person = officer()
    status, _, page = log_in(client, idp)
    assert status == 401
    assert "could not be accepted" in page
    assert not User.objects.filter(email="j.dupont@imt-nord-europe.fr").exists()


def test_a_replayed_assertion_is_refused(
    client: Client, school: School, idp: saml_idp.IdentityProvider
) -> None:
    idp.person = officer()
    answer = go_to_idp(client, idp)
    assert post_back(client, answer)[:2] == (302, "/en/office/")
    # The same answer again: in the same session, once logged out, in another browser.
    assert post_back(client, answer)[0] == 403
    client.logout()
    assert post_back(client, answer)[0] == 403
    assert "_auth_user_id" not in client.session
    other = browser()
    assert post_back(other, answer)[0] == 403
    assert "_auth_user_id" not in other.session


def test_an_answer_nobody_asked_for_is_refused(
    client: Client, school: School, idp: saml_idp.IdentityProvider
) -> None:
    # Asked by one browser, posted by another (a login CSRF, or IdP-initiated sign-on).
    idp.person = officer()
    answer = go_to_idp(browser(), idp)
    assert post_back(client, answer)[0] == 403
    assert "_auth_user_id" not in client.session


def test_the_log_in_page_offers_the_institutions_way_in(client: Client, school: School) -> None:
    login = client.get("/en/accounts/login/").content.decode()
    assert "Staff: log in through your institution" in login
    chooser = client.get("/en/accounts/institution/")
    assert chooser.status_code == 200
    page = chooser.content.decode()
    assert f'action="/accounts/saml/{NORD}/login/"' in page
    assert str(school.provider.institution) in page


def test_without_the_platform_keys_no_institution_is_offered(
    client: Client, school: School, settings: SettingsWrapper
) -> None:
    settings.SAML_SP_KEY = ""
    login = client.get("/en/accounts/login/").content.decode()
    assert "Staff: log in through your institution" not in login
    assert client.get(f"/accounts/saml/{NORD}/metadata/").status_code == 404
