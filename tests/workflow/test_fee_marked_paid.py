"""Staff recording an application fee paid outside the platform."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.core.errors import NotAllowed
from admissions.payments import ledger
from admissions.payments.models import EntryKind, LedgerEntry, Method
from admissions.people.models import Role, User
from admissions.rules.vocabulary import ChargeKind
from admissions.workflow.fees import mark_fee_paid
from tests.factories import draft, staff_member


def payments(application: Application) -> list[LedgerEntry]:
    return list(application.ledger_entries.filter(kind=EntryKind.PAYMENT))


def test_a_finance_officer_records_the_fee(nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    officer = staff_member(Role.FINANCE_OFFICER, institution=nord.institution)

    assert mark_fee_paid(application, by=officer, note="Virement du 10 février") is True

    assert ledger.fee_status(application.pk) == ledger.FeeStatus.PAID
    [payment] = payments(application)
    assert (payment.amount_cents, payment.method) == (6000, Method.RECORDED_BY_STAFF)
    assert payment.created_by == officer
    event = ApplicationEvent.objects.get(
        application=application, action="application.fee_marked_paid"
    )
    assert event.actor == officer
    assert event.details == {"amount_cents": 6000, "note": "Virement du 10 février"}


def test_recording_twice_records_one_payment(nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    mark_fee_paid(application, by=officer)
    assert mark_fee_paid(application, by=officer) is False
    assert len(payments(application)) == 1


def test_a_fee_never_charged_is_charged_first(nord: Campaign, candidate: User) -> None:
    application = Application.objects.create(
        reference="NE-2024-999999",
        candidate=candidate,
        campaign=nord,
        programme=nord.institution.programmes.first(),
        track="full_time",
        financing_mode="personnel",
    )
    assert ledger.fee_status(application.pk) == ledger.FeeStatus.NOT_CHARGED
    officer = staff_member(Role.FINANCE_OFFICER, institution=nord.institution)
    mark_fee_paid(application, by=officer)
    assert ledger.balance_cents(application.pk, ChargeKind.APPLICATION_FEE) == 0
    assert ledger.fee_status(application.pk) == ledger.FeeStatus.PAID


def test_staff_of_another_school_or_programme_may_not(
    nord: Campaign, bs: Campaign, candidate: User
) -> None:
    application = draft(candidate, nord)
    elsewhere = staff_member(Role.FINANCE_OFFICER, institution=bs.institution)
    other_programme = nord.institution.programmes.exclude(pk=application.programme_id).first()
    lead = staff_member(Role.FINANCE_OFFICER, programme=other_programme)
    interviewer = staff_member(Role.INTERVIEWER, institution=nord.institution)
    for user in (elsewhere, lead, interviewer, candidate):
        with pytest.raises(NotAllowed):
            mark_fee_paid(application, by=user)
    assert payments(application) == []


def test_the_staff_view_records_and_refuses(
    client: Client, nord: Campaign, candidate: User
) -> None:
    application = draft(candidate, nord)
    url = reverse("portal:application_mark_fee_paid", args=[application.reference])

    client.force_login(candidate)
    assert client.post(url, {"note": "moi"}).status_code == 404
    assert client.post(url, {"note": "x" * 501}).status_code == 404
    assert client.get(url).status_code == 405

    interviewer = staff_member(Role.INTERVIEWER, institution=nord.institution)
    client.force_login(interviewer)
    assert client.post(url, {"note": "moi"}).status_code == 403

    officer = staff_member(Role.FINANCE_OFFICER, institution=nord.institution)
    client.force_login(officer)
    too_long = client.post(url, {"note": "x" * 501})
    assert too_long.status_code == 422
    assert ledger.fee_status(application.pk) == ledger.FeeStatus.DUE
    response = client.post(url, {"note": "Chèque", "next": "/office/"})
    assert response.status_code == 302
    assert response["Location"] == "/office/"
    assert ledger.fee_status(application.pk) == ledger.FeeStatus.PAID

    unsafe = client.post(url, {"next": "https://elsewhere.example/"})
    assert unsafe.status_code == 302
    assert "elsewhere" not in unsafe["Location"]


def test_the_admin_action_records_the_fee(client: Client, nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    admin = User.objects.create_superuser("root@example.org", "correct horse battery")
    client.force_login(admin)
    response = client.post(
        reverse("admin:applications_application_changelist"),
        {"action": "record_fee_paid", "_selected_action": [application.pk]},
    )
    assert response.status_code == 302
    assert ledger.fee_status(application.pk) == ledger.FeeStatus.PAID
    page = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    assert page.status_code == 200
    assert "application.fee_marked_paid" in page.content.decode()


def test_the_admin_shows_staff_only_their_programmes(
    client: Client, nord: Campaign, bs: Campaign, candidate: User
) -> None:
    mine = draft(candidate, nord)
    theirs = draft(candidate, bs, bs.institution.programmes.get(slug="ms-achats-supply-chain"))
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    officer.is_staff = True
    officer.save()
    officer.user_permissions.add(Permission.objects.get(codename="view_application"))
    client.force_login(officer)
    listing = client.get(reverse("admin:applications_application_changelist")).content.decode()
    assert mine.reference in listing
    assert theirs.reference not in listing
