"""The candidate's application pages: choose, write, save, submit, withdraw, follow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.people.models import User
from admissions.rules.deadlines import PARIS
from admissions.workflow.submission import submit
from tests.factories import (
    COVER_LETTER,
    IN_NORD_CAMPAIGN,
    draft,
    eligible_candidate,
    load_preset,
    programme_of,
    ready_application,
    type_the_letter,
)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def nord(db: None, clock: time_machine.Coordinates) -> Campaign:
    # The letter is typed in the form here, as a school may ask it: both texts are saved.
    return load_preset("imt-nord-europe", edit=type_the_letter)


@pytest.fixture
def candidate(db: None) -> User:
    return eligible_candidate()


@pytest.fixture
def signed_in(client: Client, candidate: User) -> Client:
    client.force_login(candidate)
    return client


def page(reference: str, name: str = "portal:application", language: str = "fr") -> str:
    with translation.override(language):
        return reverse(name, args=[reference])


def test_pages_need_an_account(client: Client, nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    for url in (
        reverse("portal:applications"),
        reverse("portal:application_new"),
        page(application.reference),
        page(application.reference, "portal:application_status"),
        page(application.reference, "portal:application_withdraw"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_choosing_a_programme_and_creating_the_application(
    signed_in: Client, nord: Campaign
) -> None:
    programme = programme_of(nord)
    listing = signed_in.get(reverse("portal:application_new"))
    start = reverse("portal:application_start", args=[nord.pk, programme.pk])
    assert start in listing.content.decode()

    form = signed_in.get(start)
    assert form.status_code == 200
    assert 'value="personnel"' in form.content.decode()

    response = signed_in.post(start, {"track": "full_time", "financing_mode": "personnel"})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page(application.reference)
    assert application.reference == "NE-2024-000001"


def test_bad_choices_are_explained_and_nothing_is_created(
    signed_in: Client, nord: Campaign
) -> None:
    start = reverse("portal:application_start", args=[nord.pk, programme_of(nord).pk])
    response = signed_in.post(start, {"track": "work_study", "financing_mode": "lottery"})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert 'href="#id_track_0"' in body or 'href="#id_track"' in body
    assert not Application.objects.exists()


def test_a_second_application_to_the_same_programme_leads_to_the_first(
    signed_in: Client, nord: Campaign, candidate: User
) -> None:
    first = draft(candidate, nord)
    start = reverse("portal:application_start", args=[nord.pk, first.programme_id])
    assert signed_in.get(start)["Location"] == page(first.reference)
    response = signed_in.post(start, {"track": "full_time", "financing_mode": "personnel"})
    assert response.status_code == 409
    assert first.reference in response.content.decode()
    assert Application.objects.count() == 1


def test_unknown_campaign_or_programme_is_a_404(signed_in: Client, nord: Campaign) -> None:
    assert signed_in.get(reverse("portal:application_start", args=[999, 999])).status_code == 404


def test_the_application_page_shows_eligibility_checklist_and_checks(
    signed_in: Client, nord: Campaign, candidate: User
) -> None:
    application = draft(candidate, nord)
    response = signed_in.get(page(application.reference, language="en"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Eligible" in body
    assert "Engineering degree accredited by the CTI" in body
    assert 'id="documents"' in body
    assert "The application fee is not paid yet." in body
    assert f'href="{page(application.reference, language="en")}#id_professional_project"' in body


def test_saving_keeps_what_is_typed_and_saves_what_is_valid(
    signed_in: Client, nord: Campaign, candidate: User
) -> None:
    application = draft(candidate, nord)
    response = signed_in.post(
        page(application.reference),
        {
            "track": "full_time",
            "financing_mode": "not-a-mode",
            "cover_letter": "Ma lettre, tapée avec soin.",
            "professional_project": "Mon projet.",
            "action": "save",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Ma lettre, tapée avec soin." in body
    assert 'class="error-summary"' in body
    application.refresh_from_db()
    assert application.cover_letter == "Ma lettre, tapée avec soin."
    assert application.professional_project == "Mon projet."
    assert application.financing_mode == "personnel"


def test_a_too_long_text_is_refused_and_kept(
    signed_in: Client, nord: Campaign, candidate: User
) -> None:
    application = draft(candidate, nord)
    long_text = "x" * 20_001
    response = signed_in.post(
        page(application.reference),
        {
            "track": "full_time",
            "financing_mode": "personnel",
            "cover_letter": long_text,
            "professional_project": "Projet",
        },
    )
    assert response.status_code == 422
    assert long_text in response.content.decode()
    application.refresh_from_db()
    assert application.cover_letter == ""
    assert application.professional_project == "Projet"


def test_save_then_submit_from_the_page(signed_in: Client, nord: Campaign, candidate: User) -> None:
    application = ready_application(candidate, nord)
    response = signed_in.post(
        page(application.reference),
        {
            "track": "full_time",
            "financing_mode": "personnel",
            "cover_letter": COVER_LETTER + " Merci de votre attention.",
            "professional_project": application.professional_project,
            "action": "submit",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == page(application.reference, "portal:application_status")
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.cover_letter.endswith("Merci de votre attention.")


def test_a_file_not_ready_is_not_submitted_and_the_text_is_saved(
    signed_in: Client, nord: Campaign, candidate: User
) -> None:
    application = draft(candidate, nord)
    response = signed_in.post(
        page(application.reference, language="en"),
        {
            "track": "full_time",
            "financing_mode": "personnel",
            "cover_letter": "Trop court",
            "professional_project": "",
            "action": "submit",
        },
    )
    assert response.status_code == 409
    assert "cannot be submitted yet" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "draft"
    assert application.cover_letter == "Trop court"


def test_submission_after_the_deadline_is_refused_clearly(
    signed_in: Client, nord: Campaign, candidate: User, clock: time_machine.Coordinates
) -> None:
    application = ready_application(candidate, nord)
    clock.move_to(dt.datetime(2024, 6, 8, 0, 0, 1, tzinfo=PARIS))
    response = signed_in.post(
        page(application.reference, language="en"),
        {
            "track": "full_time",
            "financing_mode": "personnel",
            "cover_letter": application.cover_letter,
            "professional_project": application.professional_project,
            "action": "submit",
        },
    )
    assert response.status_code == 409
    assert "midnight (Paris time)" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "draft"


def test_editing_a_submitted_file_is_refused_and_shows_what_was_typed(
    signed_in: Client, nord: Campaign, candidate: User
) -> None:
    application = ready_application(candidate, nord)
    submit(application, by=candidate)
    response = signed_in.post(
        page(application.reference, language="en"),
        {
            "track": "full_time",
            "financing_mode": "personnel",
            "cover_letter": "Une nouvelle version",
            "professional_project": "",
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "can no longer be changed" in body
    assert "Une nouvelle version" in body
    application.refresh_from_db()
    assert application.cover_letter == COVER_LETTER


def test_withdrawal_asks_for_confirmation(
    signed_in: Client, nord: Campaign, candidate: User
) -> None:
    application = draft(candidate, nord)
    url = page(application.reference, "portal:application_withdraw")
    assert signed_in.get(url).status_code == 200
    unconfirmed = signed_in.post(url, {"reason": "Autre école"})
    assert unconfirmed.status_code == 422
    application.refresh_from_db()
    assert application.status == "draft"

    confirmed = signed_in.post(url, {"reason": "Autre école", "confirm": "on"})
    assert confirmed.status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"
    event = ApplicationEvent.objects.get(application=application, action="application.withdraw")
    assert event.details == {"reason": "Autre école"}
    again = signed_in.get(page(application.reference, "portal:application_withdraw", "en"))
    assert "can no longer be withdrawn" in again.content.decode()


def test_the_status_page(signed_in: Client, nord: Campaign, candidate: User) -> None:
    application = ready_application(candidate, nord)
    submit(application, by=candidate)
    response = signed_in.get(
        page(application.reference, "portal:application_status", language="en")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Opinion of the pedagogical lead" in body
    assert 'aria-current="step"' in body
    assert "Application submitted" in body
    assert "Nothing to do for now" in body


def test_pages_in_french(signed_in: Client, nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    body = signed_in.get(page(application.reference, "portal:application_status")).content
    assert "Constitution du dossier de candidature" in body.decode()


def test_another_candidate_gets_404_everywhere(
    client: Client, nord: Campaign, candidate: User
) -> None:
    application = draft(candidate, nord)
    client.force_login(eligible_candidate())
    for name in ("portal:application", "portal:application_status", "portal:application_withdraw"):
        assert client.get(page(application.reference, name)).status_code == 404
        assert client.post(page(application.reference, name), {"confirm": "on"}).status_code == 404
    application.refresh_from_db()
    assert application.status == "draft"


def test_the_dashboard_lists_my_applications(
    signed_in: Client, nord: Campaign, candidate: User
) -> None:
    application = draft(candidate, nord)
    body = signed_in.get(reverse("portal:dashboard")).content.decode()
    assert application.reference in body
    assert page(application.reference) in body


def test_a_closed_campaign_says_so_and_creates_nothing(
    signed_in: Client, nord: Campaign, clock: time_machine.Coordinates
) -> None:
    clock.move_to(dt.datetime(2024, 6, 8, 8, 0, tzinfo=PARIS))
    with translation.override("en"):
        start = reverse("portal:application_start", args=[nord.pk, programme_of(nord).pk])
    assert "This campaign is not open to applications." in signed_in.get(start).content.decode()
    response = signed_in.post(start, {"track": "full_time", "financing_mode": "personnel"})
    assert response.status_code == 409
    assert not Application.objects.exists()
