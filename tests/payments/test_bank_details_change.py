"""An institution's bank account changed in the back office: a permission of its own, a second
factor at that moment, masked in the record, told to the other administrators, and read by
every file at once while the rulebook's versions stay kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.test import Client

from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Institution, RulebookVersion
from admissions.notify.models import Notification
from admissions.payments import ledger
from admissions.people.bank_rights import BankDetailsChange, BankDetailsPermission
from admissions.people.models import Role, StaffRole, User
from admissions.rules.vocabulary import ChargeKind
from tests.api.test_tokens import SECRET, totp_now
from tests.payments.conftest import MakeApplication, _campaign

_emails = iter(range(1, 1000))


def staff_member(role: Role, *, institution: Institution | None = None) -> User:
    user = User.objects.create_user(f"staff{next(_emails)}@school.example", "x" * 12)
    StaffRole.objects.create(user=user, role=role, institution=institution)
    return user


OLD_IBAN = "FR7610071590000000102433444"
NEW_IBAN = "FR76 3000 6000 0112 3456 7890 189"
NEW_BIC = "AGRIFRPP"


@pytest.fixture(autouse=True)
def _fresh_codes() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def nord(nord_campaign: Campaign) -> Institution:
    return nord_campaign.institution


@pytest.fixture
def treasurer(nord: Institution) -> User:
    """An administrator of the institution granted the right to change its account."""
    user = staff_member(Role.INSTITUTION_ADMIN, institution=nord)
    BankDetailsPermission.objects.create(user=user, institution=nord)
    TOTP.activate(user, SECRET)
    return user


def url(institution: Institution) -> str:
    return f"/en/office/bank-details/{institution.slug}/"


def form(**changes: str) -> dict[str, str]:
    values = {
        "holder": "IMT NORD EUROPE – AGENCE COMPTABLE",
        "holder_address": "941 rue Charles Bourseul, 59508 Douai",
        "iban": NEW_IBAN,
        "bic": NEW_BIC,
        "bank_name": "Crédit Agricole",
        "bank_address": "",
        "phone": "",
        "otp_code": totp_now(SECRET),
    }
    values.update(changes)
    return values


def test_a_granted_administrator_changes_the_account_with_a_code(
    client: Client,
    nord: Institution,
    nord_campaign: Campaign,
    treasurer: User,
    make_application: MakeApplication,
) -> None:
    colleague = staff_member(Role.INSTITUTION_ADMIN, institution=nord)
    colleague.preferred_language = "en"
    colleague.save()
    sent = make_application(nord_campaign, status="submitted")
    # Submitted under the rules as they are now: it keeps this version.
    Application.objects.filter(pk=sent.pk).update(rulebook_digest=nord_campaign.rulebook_digest)
    old_digest = nord_campaign.rulebook_digest
    client.force_login(treasurer)

    response = client.post(url(nord), form())

    assert response.status_code == 302
    change = BankDetailsChange.objects.get(institution=nord)
    assert change.by == treasurer
    assert (change.old_iban, change.new_iban) == ("FR76 •••• 3444", "FR76 •••• 0189")
    assert (change.old_bic, change.new_bic) == ("TRPUFRP1", NEW_BIC)
    assert change.confirmed_by == "totp"
    # Every rulebook of the institution holds the new account; the old version is kept.
    nord_campaign.refresh_from_db()
    assert nord_campaign.rulebook_digest != old_digest
    assert nord_campaign.rules.bank_account.iban == "FR7630006000011234567890189"  # type: ignore[union-attr]
    assert Institution.objects.get(pk=nord.pk).rules.bank_account.bic == NEW_BIC  # type: ignore[union-attr]
    assert RulebookVersion.objects.filter(digest=old_digest).exists()
    assert RulebookVersion.objects.filter(digest=nord_campaign.rulebook_digest).exists()
    # The submitted file keeps its rules, but its money goes to the new account.
    sent = Application.objects.get(pk=sent.pk)
    assert sent.rules.bank_account.iban == OLD_IBAN  # type: ignore[union-attr]
    assert sent.bank_account.iban == "FR7630006000011234567890189"  # type: ignore[union-attr]
    # The other administrator is told; the one who made the change is not.
    [email] = Notification.objects.filter(key__startswith="account:bank_details_changed")
    assert email.recipient == colleague
    assert "FR76 •••• 3444 → FR76 •••• 0189" in email.text
    assert OLD_IBAN not in email.text
    assert "3000600001123456789" not in email.text
    # The record is on the page, masked, for every administrator.
    client.force_login(colleague)
    page = client.get(url(nord)).content.decode()
    assert "FR76 •••• 0189" in page
    assert "needs a permission of its own" in page


def test_transfer_instructions_of_a_file_show_the_new_account(
    client: Client,
    nord: Institution,
    nord_campaign: Campaign,
    treasurer: User,
    candidate: User,
    make_application: MakeApplication,
) -> None:
    application = make_application(nord_campaign)
    ledger.charge(
        application.pk, charge_kind=ChargeKind.APPLICATION_FEE, amount_cents=6_000, by=None
    )
    client.force_login(treasurer)
    client.post(url(nord), form())
    client.force_login(candidate)
    page = client.get(f"/en/payments/{application.reference}/transfer/application_fee/0/")
    text = page.content.decode()
    assert "FR76 3000 6000 0112 3456 7890 189" in text
    assert "FR76 1007 1590" not in text


def test_an_administrator_without_the_permission_is_refused(
    client: Client, nord: Institution
) -> None:
    admin = staff_member(Role.INSTITUTION_ADMIN, institution=nord)
    TOTP.activate(admin, SECRET)
    client.force_login(admin)
    response = client.post(url(nord), form())
    assert response.status_code == 403
    assert not BankDetailsChange.objects.exists()
    assert "You may not change this institution" in response.content.decode()


def test_the_permission_without_the_administrator_role_is_not_enough(
    client: Client, nord: Institution
) -> None:
    officer = staff_member(Role.FINANCE_OFFICER, institution=nord)
    BankDetailsPermission.objects.create(user=officer, institution=nord)
    client.force_login(officer)
    assert client.post(url(nord), form()).status_code == 404
    assert not BankDetailsChange.objects.exists()


def test_a_wrong_code_is_refused_and_nothing_changes(
    client: Client, nord: Institution, nord_campaign: Campaign, treasurer: User
) -> None:
    digest = nord_campaign.rulebook_digest
    client.force_login(treasurer)
    wrong = "000000" if totp_now(SECRET) != "000000" else "111111"
    response = client.post(url(nord), form(otp_code=wrong))
    assert response.status_code == 403
    assert "not the current code of your authenticator app" in response.content.decode()
    assert NEW_BIC in response.content.decode()  # what was typed stays
    nord_campaign.refresh_from_db()
    assert nord_campaign.rulebook_digest == digest
    assert not BankDetailsChange.objects.exists()


def test_no_code_and_no_fresh_confirmation_is_refused(
    client: Client, nord: Institution, treasurer: User
) -> None:
    client.force_login(treasurer)
    response = client.post(url(nord), form(otp_code=""))
    assert response.status_code == 403
    assert "Confirm this change with your second factor" in response.content.decode()
    assert not BankDetailsChange.objects.exists()


def test_a_fresh_re_authentication_stands_for_the_code(
    client: Client, nord: Institution, treasurer: User
) -> None:
    client.force_login(treasurer)
    client.post("/en/accounts/2fa/reauthenticate/", {"code": totp_now(SECRET)})
    cache.clear()
    response = client.post(url(nord), form(otp_code=""))
    assert response.status_code == 302
    assert BankDetailsChange.objects.get().confirmed_by == "reauthenticated"


def test_an_invalid_iban_is_refused_in_the_readers_language(
    client: Client, nord: Institution, treasurer: User
) -> None:
    client.force_login(treasurer)
    response = client.post(url(nord), form(iban="FR76 3000 6000 0112 3456 7890 188"))
    assert response.status_code == 422
    assert "Enter a valid IBAN." in response.content.decode()
    french = client.post(url(nord).removeprefix("/en"), form(bic="NOPE"))
    assert "Saisissez un BIC valide." in french.content.decode()
    assert not BankDetailsChange.objects.exists()


def test_another_institution_does_not_exist_for_the_reader(
    client: Client, nord: Institution, treasurer: User
) -> None:
    bs = _campaign("bs").institution
    BankDetailsPermission.objects.create(user=treasurer, institution=bs)
    client.force_login(treasurer)
    assert client.get(url(bs)).status_code == 404
    assert client.post(url(bs), form()).status_code == 404
    StaffRole.objects.create(user=treasurer, role=Role.ADMISSIONS_OFFICER, institution=bs)
    assert client.post(url(bs), form()).status_code == 404


def test_the_unused_helper_records_are_per_user(treasurer: User) -> None:
    """A re-authentication of one person is not read for another."""
    from django.test import RequestFactory

    from admissions.people.second_factor import SecondFactorRefused, confirm_fresh

    request = RequestFactory().post("/")
    request.session = Client().session
    other = staff_member(Role.INSTITUTION_ADMIN)
    record_authentication(request, other, "mfa", type="totp", reauthenticated=True)
    with pytest.raises(SecondFactorRefused):
        confirm_fresh(request, treasurer, "")
