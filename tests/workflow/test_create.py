"""Opening an application: choices from the rulebook, one file per programme, its fee."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import time_machine
from django.db import connection, transaction

from admissions.applications.errors import (
    CampaignClosedError,
    DuplicateApplicationError,
    InvalidChoiceError,
)
from admissions.applications.models import Application, ApplicationEvent
from admissions.applications.reference import institution_code
from admissions.catalog.models import Campaign
from admissions.payments import ledger
from admissions.people.models import User
from admissions.rules.deadlines import PARIS
from admissions.rules.vocabulary import ChargeKind
from admissions.workflow.drafts import create_application
from tests.factories import draft, programme_of
from tests.portal.catalogue import open_campaign


@pytest.mark.parametrize(
    ("slug", "code"),
    [("imt-nord-europe", "NE"), ("imt-bs", "BS"), ("ecole", "ECOL"), ("a-b-c-d-e-f", "BCDE")],
)
def test_institution_codes(slug: str, code: str) -> None:
    assert institution_code(slug) == code


def test_a_draft_gets_a_reference_a_history_and_its_fee(nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)

    assert application.reference == "NE-2024-000001"
    assert application.status == "draft"
    event = ApplicationEvent.objects.get(application=application, action="application.created")
    assert event.actor == candidate
    assert event.to_status == "draft"
    assert event.details == {"track": "full_time", "financing_mode": "personnel"}
    # 60 EUR from the rulebook, owed until paid.
    assert ledger.balance_cents(application.pk, ChargeKind.APPLICATION_FEE) == 6000
    assert ledger.fee_status(application.pk) == ledger.FeeStatus.DUE


def test_references_follow_each_other_per_institution(
    nord: Campaign, bs: Campaign, candidate: User, other_candidate: User
) -> None:
    first = draft(candidate, nord)
    second = draft(other_candidate, nord)
    other_school = draft(
        candidate, bs, programme_of(bs, "ms-achats-supply-chain"), financing_mode="personnel"
    )
    assert (first.reference, second.reference) == ("NE-2024-000001", "NE-2024-000002")
    assert other_school.reference == "BS-2024-000001"
    assert ledger.balance_cents(other_school.pk, ChargeKind.APPLICATION_FEE) == 8000


def test_a_second_application_to_the_same_programme_is_refused_clearly(
    nord: Campaign, candidate: User
) -> None:
    first = draft(candidate, nord)
    with pytest.raises(DuplicateApplicationError) as refused:
        draft(candidate, nord, financing_mode="demandeur-emploi")
    assert refused.value.code == "duplicate_application"
    assert first.reference in refused.value.message
    assert refused.value.details == {"reference": first.reference}
    assert Application.objects.filter(candidate=candidate).count() == 1


def test_another_programme_of_the_same_campaign_is_fine(nord: Campaign, candidate: User) -> None:
    programmes = list(nord.institution.programmes.order_by("pk"))[:2]
    for programme in programmes:
        draft(candidate, nord, programme)
    assert Application.objects.filter(candidate=candidate).count() == 2


def test_a_track_the_programme_does_not_offer_is_refused(nord: Campaign, candidate: User) -> None:
    # Every IMT Nord Europe programme is full-time with an internship.
    with pytest.raises(InvalidChoiceError) as refused:
        draft(candidate, nord, track="work_study")
    assert refused.value.details["field"] == "track"
    assert refused.value.details["allowed"] == ["full_time"]
    assert not Application.objects.exists()


def test_a_financing_mode_must_fit_the_track(bs: Campaign, candidate: User) -> None:
    programme = programme_of(bs, "ms-achats-supply-chain")
    with pytest.raises(InvalidChoiceError) as refused:
        draft(candidate, bs, programme, track="full_time", financing_mode="opco")
    assert refused.value.details["field"] == "financing_mode"
    assert "opco" not in refused.value.details["allowed"]
    assert draft(candidate, bs, programme, track="work_study", financing_mode="opco").pk


def test_an_unknown_financing_mode_is_refused(nord: Campaign, candidate: User) -> None:
    with pytest.raises(InvalidChoiceError):
        draft(candidate, nord, financing_mode="lottery")


def test_a_programme_of_another_institution_is_refused(
    nord: Campaign, bs: Campaign, candidate: User
) -> None:
    with pytest.raises(InvalidChoiceError) as refused:
        create_application(
            candidate=candidate,
            campaign=nord,
            programme=programme_of(bs),
            track="work_study",
            financing_mode="opco",
        )
    assert refused.value.details["field"] == "programme"


def test_a_closed_campaign_takes_no_new_application(
    nord: Campaign, candidate: User, clock: time_machine.Coordinates
) -> None:
    clock.move_to(dt.datetime(2024, 6, 8, 0, 0, tzinfo=PARIS))
    with pytest.raises(CampaignClosedError):
        draft(candidate, nord)
    assert not Application.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_draft_does_not_wait_for_another_creation_to_commit(
    database_engine: str, candidate: User, other_candidate: User
) -> None:
    # A school of its own: the reference sequence this test creates is used by no other test.
    with time_machine.travel(dt.datetime(2031, 3, 2, 10, 0, tzinfo=PARIS), tick=False):
        campaign = open_campaign(
            "imt-nord-europe",
            opens_on=dt.date(2030, 9, 15),
            closes_on=dt.date(2031, 6, 7),
            slug_suffix="-sequence",
        )
        first = draft(candidate, campaign)
        opened, release = threading.Event(), threading.Event()
        errors: list[BaseException] = []

        def slow_creation() -> None:
            try:
                with transaction.atomic():
                    draft(other_candidate, campaign, programme_of(campaign, "ms-cybersecurite"))
                    opened.set()
                    release.wait(timeout=20)
            except BaseException as error:
                errors.append(error)
            finally:
                opened.set()
                connection.close()

        thread = threading.Thread(target=slow_creation)
        thread.start()
        assert opened.wait(timeout=20)
        started = time.perf_counter()
        try:
            third = draft(
                other_candidate, campaign, programme_of(campaign, "ms-transition-energetique")
            )
        finally:
            waited = time.perf_counter() - started
            release.set()
            thread.join(timeout=30)
    assert not errors
    # Before, the reference and creditor-reference counters stayed locked until the first
    # creation committed: this one waited for the whole of it.
    assert waited < 5
    assert first.reference == "NES-2031-000001"
    assert third.reference == "NES-2031-000003"
    assert Application.objects.filter(campaign=campaign).count() == 3
