"""Confirming an offered place: the amounts charged on admission, the window, the pages."""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.applications.errors import NotYourApplicationError
from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Programme
from admissions.core.errors import DomainError
from admissions.demo.candidates import sample_pdf
from admissions.documents.services import upload_document
from admissions.payments import ledger
from admissions.payments.models import EntryKind, LedgerEntry, Method
from admissions.people.models import Role, User
from admissions.rules.deadlines import PARIS
from admissions.rules.vocabulary import ChargeKind
from admissions.workflow.confirmation import (
    ConfirmationDocumentsMissingError,
    ConfirmationUnpaidError,
    ConfirmationWindowClosedError,
    NotAdmittedError,
    charge_on_admission,
    confirm_place,
    confirmation_state,
    decline_place,
    lapse_overdue,
    missing_to_confirm,
)
from admissions.workflow.places import ProgrammeFullError
from admissions.workflow.submission import submit
from tests.factories import (
    eligible_candidate,
    load_preset,
    programme_of,
    ready_application,
    staff_member,
)

ADMITTED_AT = dt.datetime(2024, 3, 20, 18, 30, tzinfo=PARIS)
# 15 days from 20 March: the window ends with 4 April, Paris time.
LAST_MOMENT = dt.datetime(2024, 4, 4, 23, 59, 59, tzinfo=PARIS)
TOO_LATE = dt.datetime(2024, 4, 5, 0, 0, tzinfo=PARIS)

Capture = Callable[..., Any]


def release_at_once(raw: dict[str, Any]) -> None:
    raw["confirmation"]["after_window"] = "release_at_once"


@pytest.fixture
def nord(db: None, clock: time_machine.Coordinates) -> Campaign:
    """IMT Nord Europe's rules, its places released as soon as the window ends (the other
    policies: test_after_window.py)."""
    return load_preset("imt-nord-europe", edit=release_at_once)


@pytest.fixture
def admit(
    clock: time_machine.Coordinates, django_capture_on_commit_callbacks: Capture
) -> Callable[..., Application]:
    """A file taken to the jury and admitted on ADMITTED_AT, its commit hooks run."""

    def make(
        candidate: User,
        campaign: Campaign,
        *,
        programme: str,
        action: str = "publish_admitted",
        **choices: str,
    ) -> Application:
        application = ready_application(
            candidate, campaign, programme_of(campaign, programme), **choices
        )
        submit(application, by=candidate)
        officer = staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)
        for step in ("mark_complete", "record_admissible", "place_on_agenda"):
            transition(application, action=step, by=officer)
        clock.move_to(ADMITTED_AT)
        with django_capture_on_commit_callbacks(execute=True):
            transition(application, action=action, by=officer)
        return application

    return make


def charges(application: Application) -> list[tuple[str, int | None, int]]:
    return list(
        LedgerEntry.objects.filter(application=application, kind=EntryKind.CHARGE)
        .exclude(charge_kind=ChargeKind.APPLICATION_FEE)
        .order_by("id")
        .values_list("charge_kind", "instalment", "amount_cents")
    )


def english(name: str, args: list[str]) -> str:
    """The page's English address: the tests read the English wording."""
    with translation.override("en"):
        return reverse(name, args=args)


def send_cvec(application: Application) -> None:
    """The CVEC attestation, with its number, where confirming asks for it."""
    if Status(application.status) not in {Status.ADMITTED, Status.ADMITTED_CONDITIONALLY}:
        return
    if not missing_to_confirm(application):
        return
    upload_document(
        application=application,
        requirement_code="attestation-cvec",
        stream=io.BytesIO(sample_pdf("Attestation CVEC")),
        filename="cvec.pdf",
        by=application.candidate,
        foreign_language=False,
        number="LIL1-2024-00042",
    )


def settle_everything(application: Application) -> None:
    pay_everything(application)
    send_cvec(application)


def pay_everything(application: Application) -> None:
    for line in ledger.lines(application.pk):
        if line.outstanding > 0:
            ledger.record_payment(
                application.pk,
                charge_kind=ChargeKind(line.charge_kind),
                instalment=line.instalment,
                amount_cents=line.outstanding,
                method=Method.BANK_TRANSFER,
                by=None,
            )


@pytest.fixture
def bs_work_study(bs: Campaign, candidate: User, admit: Callable[..., Application]) -> Application:
    return admit(
        candidate,
        bs,
        programme="ms-achats-supply-chain",
        track="work_study",
        financing_mode="opco",
    )


@pytest.fixture
def nord_admitted(
    nord: Campaign, candidate: User, admit: Callable[..., Application]
) -> Application:
    return admit(candidate, nord, programme="ms-cybersecurite")


def test_admission_at_imt_bs_charges_the_work_study_deposit(bs_work_study: Application) -> None:
    assert charges(bs_work_study) == [(ChargeKind.DEPOSIT, None, 45000)]
    entry = LedgerEntry.objects.get(application=bs_work_study, charge_kind=ChargeKind.DEPOSIT)
    assert entry.due_on == dt.date(2024, 4, 4)


def test_admission_at_nord_charges_the_first_instalment(
    nord_admitted: Application,
) -> None:
    # 9,000 EUR of personal tuition in 3 instalments; the CVEC is paid to the CROUS, whose
    # attestation the candidate gives at registration: the school charges none.
    assert charges(nord_admitted) == [(ChargeKind.TUITION, 1, 300000)]


def test_a_funded_place_costs_the_candidate_nothing_to_confirm(
    nord: Campaign, candidate: User, admit: Callable[..., Application]
) -> None:
    application = admit(
        candidate,
        nord,
        programme="ms-cybersecurite",
        financing_mode="plan-formation-entreprise",
    )
    # The employer pays the tuition: the candidate never waits for it to confirm.
    assert charges(application) == []
    assert confirm_place(application, by=candidate).status == Status.CONFIRMED


def test_a_full_time_place_at_imt_bs_costs_nothing_to_confirm(
    bs: Campaign, candidate: User, admit: Callable[..., Application]
) -> None:
    application = admit(candidate, bs, programme="ms-achats-supply-chain")
    assert charges(application) == []
    assert confirm_place(application, by=candidate).status == Status.CONFIRMED


def test_an_admission_from_the_waiting_list_charges_too(
    nord: Campaign,
    candidate: User,
    admit: Callable[..., Application],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    application = admit(candidate, nord, programme="ms-cybersecurite", action="publish_waitlisted")
    assert charges(application) == []
    with django_capture_on_commit_callbacks(execute=True):
        transition(application, action="admit_from_waitlist", by=None)
    assert [kind for kind, _, _ in charges(application)] == [ChargeKind.TUITION]


def test_a_replayed_admission_charges_nothing_more(nord_admitted: Application) -> None:
    before = charges(nord_admitted)
    assert charge_on_admission(nord_admitted.pk) == 0
    assert charges(nord_admitted) == before


def test_a_file_not_admitted_is_not_charged(nord: Campaign, candidate: User) -> None:
    application = ready_application(candidate, nord)
    assert charge_on_admission(application.pk) == 0
    assert charges(application) == []


def test_a_move_rolled_back_charges_nothing(
    nord: Campaign, candidate: User, django_capture_on_commit_callbacks: Capture
) -> None:
    application = ready_application(candidate, nord)
    submit(application, by=candidate)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    for step in ("mark_complete", "record_admissible", "place_on_agenda"):
        transition(application, action=step, by=officer)

    def publish_then_fail() -> None:
        with transaction.atomic():
            transition(application, action="publish_admitted", by=officer)
            raise RuntimeError("the jury's publication failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        publish_then_fail()
    assert callbacks == []
    assert charges(application) == []


def test_confirming_is_refused_while_an_amount_is_owed(
    bs_work_study: Application, candidate: User
) -> None:
    with pytest.raises(ConfirmationUnpaidError) as caught:
        confirm_place(bs_work_study, by=candidate)
    assert caught.value.details == {"unpaid": ["deposit"]}
    bs_work_study.refresh_from_db()
    assert bs_work_study.status == Status.ADMITTED


def test_confirming_once_paid_writes_one_event(bs_work_study: Application, candidate: User) -> None:
    ledger.record_payment(
        bs_work_study.pk,
        charge_kind=ChargeKind.DEPOSIT,
        amount_cents=45000,
        method=Method.CARD,
        by=candidate,
        external_id="test-deposit",
    )
    assert confirm_place(bs_work_study, by=candidate).status == Status.CONFIRMED
    assert confirm_place(bs_work_study, by=candidate).status == Status.CONFIRMED
    assert bs_work_study.events.filter(action="application.confirm").count() == 1


def test_a_part_payment_is_not_enough(nord_admitted: Application, candidate: User) -> None:
    ledger.record_payment(
        nord_admitted.pk,
        charge_kind=ChargeKind.TUITION,
        instalment=1,
        amount_cents=150000,
        method=Method.BANK_TRANSFER,
        by=None,
    )
    with pytest.raises(ConfirmationUnpaidError) as caught:
        confirm_place(nord_admitted, by=candidate)
    assert caught.value.details == {"unpaid": ["tuition_first_instalment"]}


def test_an_amount_written_off_counts_as_settled(
    nord_admitted: Application, candidate: User
) -> None:
    settle_everything(nord_admitted)
    ledger.record_refund(
        nord_admitted.pk,
        charge_kind=ChargeKind.TUITION,
        instalment=1,
        amount_cents=10000,
        method=Method.BANK_TRANSFER,
        by=None,
    )
    with pytest.raises(ConfirmationUnpaidError):
        confirm_place(nord_admitted, by=candidate)
    ledger.write_off(
        nord_admitted.pk,
        charge_kind=ChargeKind.TUITION,
        instalment=1,
        amount_cents=10000,
        by=None,
    )
    assert confirm_place(nord_admitted, by=candidate).status == Status.CONFIRMED


def test_a_conditional_admission_confirms_on_condition(
    bs: Campaign, candidate: User, admit: Callable[..., Application]
) -> None:
    application = admit(
        candidate,
        bs,
        programme="ms-achats-supply-chain",
        action="publish_admitted_conditionally",
        track="work_study",
        financing_mode="opco",
    )
    assert charges(application) == [(ChargeKind.DEPOSIT, None, 45000)]
    pay_everything(application)
    assert confirm_place(application, by=candidate).status == Status.CONFIRMED_CONDITIONALLY


def test_the_window_closes_at_paris_midnight(
    nord_admitted: Application, candidate: User, clock: time_machine.Coordinates
) -> None:
    settle_everything(nord_admitted)
    with pytest.raises(ConfirmationWindowClosedError) as caught:
        confirm_place(nord_admitted, by=candidate, now=TOO_LATE)
    assert caught.value.details == {"deadline": "2024-04-04T22:00:00+00:00"}
    state = confirmation_state(nord_admitted, now=TOO_LATE)
    assert state is not None
    assert not state.is_open
    clock.move_to(LAST_MOMENT)
    assert confirm_place(nord_admitted, by=candidate).status == Status.CONFIRMED


def test_the_window_closed_message_speaks_french(
    nord_admitted: Application, candidate: User
) -> None:
    pay_everything(nord_admitted)
    with translation.override("fr"), pytest.raises(ConfirmationWindowClosedError) as caught:
        confirm_place(nord_admitted, by=candidate, now=TOO_LATE)
    assert caught.value.code == "confirmation_window_closed"
    assert "avril" in caught.value.message


def test_only_the_candidate_answers(
    nord_admitted: Application, other_candidate: User, candidate: User
) -> None:
    with pytest.raises(NotYourApplicationError):
        confirm_place(nord_admitted, by=other_candidate)
    with pytest.raises(NotYourApplicationError):
        decline_place(nord_admitted, by=other_candidate)


def test_a_file_without_an_offer_cannot_be_confirmed_or_declined(
    nord: Campaign, candidate: User
) -> None:
    application = ready_application(candidate, nord)
    with pytest.raises(NotAdmittedError):
        confirm_place(application, by=candidate)
    with pytest.raises(NotAdmittedError):
        decline_place(application, by=candidate)


def test_declining_keeps_the_reason_once(nord_admitted: Application, candidate: User) -> None:
    decline_place(nord_admitted, by=candidate, reason="  Une autre école  ")
    assert decline_place(nord_admitted, by=candidate).status == Status.DECLINED
    events = nord_admitted.events.filter(action="application.decline")
    assert [event.details for event in events] == [{"reason": "Une autre école"}]
    with pytest.raises(NotAdmittedError):
        confirm_place(nord_admitted, by=candidate)


def test_lapse_overdue_releases_late_places_once(
    nord_admitted: Application,
    bs: Campaign,
    other_candidate: User,
    admit: Callable[..., Application],
    clock: time_machine.Coordinates,
) -> None:
    clock.move_to(dt.datetime(2024, 3, 25, 9, 0, tzinfo=PARIS))
    later = admit(other_candidate, bs, programme="ms-achats-supply-chain")
    # `admit` publishes on ADMITTED_AT; push the second offer to 25 March instead.
    later.events.filter(action="application.publish_admitted").update(
        at=dt.datetime(2024, 3, 25, 9, 0, tzinfo=PARIS)
    )
    assert lapse_overdue(LAST_MOMENT) == []
    assert lapse_overdue(TOO_LATE) == [nord_admitted.reference]
    assert lapse_overdue(TOO_LATE) == []
    nord_admitted.refresh_from_db()
    later.refresh_from_db()
    assert nord_admitted.status == Status.LAPSED
    assert later.status == Status.ADMITTED
    assert nord_admitted.events.filter(action="application.lapse", actor=None).count() == 1


def test_a_confirmed_place_does_not_lapse(nord_admitted: Application, candidate: User) -> None:
    settle_everything(nord_admitted)
    confirm_place(nord_admitted, by=candidate)
    assert lapse_overdue(TOO_LATE) == []


def test_the_status_page_shows_what_to_pay(nord_admitted: Application, candidate: User) -> None:
    client = Client()
    client.force_login(candidate)
    url = english("portal:application_status", args=[nord_admitted.reference])
    page = client.get(url).content.decode()
    assert "Confirm my place" in page
    assert "Decline the place" in page
    assert "4 April 2024" in page
    assert english("payments:overview", args=[nord_admitted.reference]) in page
    section = page[page.index('id="confirmation"') : page.index('id="registration"')]
    assert "€3,000" in section
    # The first instalment to pay, the CVEC attestation to send.
    assert section.count('class="badge warning"') == 2
    assert 'id="confirm-missing"' in section
    settle_everything(nord_admitted)
    page = client.get(url).content.decode()
    section = page[page.index('id="confirmation"') : page.index('id="steps-title"')]
    assert section.count('class="badge success"') == 1
    assert 'id="confirm-unpaid"' not in section


def test_the_confirm_button_says_why_it_is_refused_then_confirms(
    nord_admitted: Application, candidate: User
) -> None:
    client = Client()
    client.force_login(candidate)
    url = english("portal:application_confirm", args=[nord_admitted.reference])
    answer = client.post(url, follow=True)
    assert answer.status_code == 200
    assert "Pay what confirming costs" in answer.content.decode()
    settle_everything(nord_admitted)
    client.post(url)
    nord_admitted.refresh_from_db()
    assert nord_admitted.status == Status.CONFIRMED


def test_declining_through_its_page(nord_admitted: Application, candidate: User) -> None:
    client = Client()
    client.force_login(candidate)
    url = english("portal:application_decline", args=[nord_admitted.reference])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "x"}).status_code == 422
    nord_admitted.refresh_from_db()
    assert nord_admitted.status == Status.ADMITTED
    answer = client.post(url, {"reason": "Autre choix", "confirm": "on"})
    assert answer.status_code == 302
    nord_admitted.refresh_from_db()
    assert nord_admitted.status == Status.DECLINED


def test_another_candidate_gets_404(nord_admitted: Application, other_candidate: User) -> None:
    client = Client()
    client.force_login(other_candidate)
    reference = nord_admitted.reference
    assert client.post(english("portal:application_confirm", args=[reference])).status_code == 404
    decline = english("portal:application_decline", args=[reference])
    assert client.get(decline).status_code == 404
    assert client.post(decline, {"confirm": "on"}).status_code == 404
    nord_admitted.refresh_from_db()
    assert nord_admitted.status == Status.ADMITTED


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_confirmations_make_one_event(
    database_engine: str, clock: time_machine.Coordinates
) -> None:
    campaign = load_preset("imt-nord-europe")
    candidate = eligible_candidate()
    application = ready_application(candidate, campaign, programme_of(campaign, "ms-cybersecurite"))
    submit(application, by=candidate)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)
    for step in ("mark_complete", "record_admissible", "place_on_agenda", "publish_admitted"):
        transition(application, action=step, by=officer)
    # Committed for real: the admission charged its amount (the first instalment) without
    # any test hook.
    assert len(charges(application)) == 1
    settle_everything(application)
    barrier = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            barrier.wait()
            confirm_place(Application.objects.get(pk=application.pk), by=candidate)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    assert application.events.filter(action="application.confirm").count() == 1


def _admitted_to_a_full_programme(
    admit: Callable[..., Application], campaign: Campaign, count: int, capacity: int
) -> list[Application]:
    """`count` candidates admitted to a programme of `capacity` places (nothing to pay)."""
    Programme.objects.filter(
        institution=campaign.institution, slug="ms-achats-supply-chain"
    ).update(capacity=capacity)
    return [
        admit(eligible_candidate(), campaign, programme="ms-achats-supply-chain")
        for _ in range(count)
    ]


def test_confirmations_stop_at_the_programme_capacity(
    bs: Campaign, admit: Callable[..., Application]
) -> None:
    files = _admitted_to_a_full_programme(admit, bs, count=5, capacity=2)
    for application in files[:2]:
        assert confirm_place(application, by=application.candidate).status == Status.CONFIRMED
    for application in files[2:]:
        with translation.override("en"), pytest.raises(ProgrammeFullError) as full:
            confirm_place(application, by=application.candidate)
        assert full.value.code == "programme_full"
        assert "All 2 places of this programme are already confirmed" in full.value.message
        application.refresh_from_db()
        assert application.status == Status.ADMITTED
    # A place given up frees one for the next candidate.
    withdraw = files[0]
    transition(withdraw, action="withdraw", by=withdraw.candidate)
    assert confirm_place(files[2], by=files[2].candidate).status == Status.CONFIRMED


def test_the_confirm_button_says_the_programme_is_full(
    bs: Campaign, admit: Callable[..., Application]
) -> None:
    first, second = _admitted_to_a_full_programme(admit, bs, count=2, capacity=1)
    confirm_place(first, by=first.candidate)
    client = Client()
    client.force_login(second.candidate)
    for url, words in (
        (english("portal:application_confirm", [second.reference]), "The 1 place of this"),
        (f"/me/applications/{second.reference}/confirm/", "La place de ce programme"),
    ):
        answer = client.post(url, follow=True)
        assert words in answer.content.decode()
    second.refresh_from_db()
    assert second.status == Status.ADMITTED


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_five_simultaneous_confirmations_fill_two_places(
    database_engine: str, clock: time_machine.Coordinates
) -> None:
    campaign = load_preset("imt-bs")
    Programme.objects.filter(
        institution=campaign.institution, slug="ms-achats-supply-chain"
    ).update(capacity=2)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)
    files = []
    for _ in range(5):
        candidate = eligible_candidate()
        application = ready_application(
            candidate, campaign, programme_of(campaign, "ms-achats-supply-chain")
        )
        submit(application, by=candidate)
        for step in ("mark_complete", "record_admissible", "place_on_agenda", "publish_admitted"):
            transition(application, action=step, by=officer)
        files.append(application)
    barrier = threading.Barrier(len(files), timeout=10)
    refused: list[DomainError] = []
    errors: list[BaseException] = []

    def attempt(application: Application) -> None:
        # Each thread has its own connection, so the five transactions truly overlap.
        try:
            barrier.wait()
            confirm_place(Application.objects.get(pk=application.pk), by=application.candidate)
        except ProgrammeFullError as error:
            refused.append(error)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(item,)) for item in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(refused) == 3
    statuses = sorted(
        Application.objects.filter(pk__in=[f.pk for f in files]).values_list("status", flat=True)
    )
    assert statuses == ["admitted", "admitted", "admitted", "confirmed", "confirmed"]


def test_after_the_window_the_page_offers_no_button(
    nord_admitted: Application, candidate: User, clock: time_machine.Coordinates
) -> None:
    clock.move_to(TOO_LATE)
    client = Client()
    client.force_login(candidate)
    page = client.get(
        english("portal:application_status", args=[nord_admitted.reference])
    ).content.decode()
    section = page[page.index('id="confirmation"') : page.index('id="steps-title"')]
    assert "4 April 2024" in section
    assert english("portal:application_confirm", args=[nord_admitted.reference]) not in section


def test_the_periodic_command_releases_late_places(
    nord_admitted: Application, clock: time_machine.Coordinates
) -> None:
    from io import StringIO

    from django.core.management import call_command

    clock.move_to(TOO_LATE)
    out = StringIO()
    call_command("periodic", stdout=out)
    assert f"places released: {nord_admitted.reference}" in out.getvalue()
    nord_admitted.refresh_from_db()
    assert nord_admitted.status == Status.LAPSED
    out = StringIO()
    call_command("periodic", stdout=out)
    assert "places released: none" in out.getvalue()


def test_at_nord_the_cvec_attestation_is_sent_to_confirm(
    nord_admitted: Application, candidate: User
) -> None:
    pay_everything(nord_admitted)
    with translation.override("en"), pytest.raises(ConfirmationDocumentsMissingError) as caught:
        confirm_place(nord_admitted, by=candidate)
    assert caught.value.details == {"missing": ["attestation-cvec"]}
    assert "CVEC payment certificate" in caught.value.message
    send_cvec(nord_admitted)
    assert confirm_place(nord_admitted, by=candidate).status == Status.CONFIRMED
