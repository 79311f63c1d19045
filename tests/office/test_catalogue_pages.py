"""The catalogue's administration pages: who reaches them (everyone else gets 404), what an
edit shows before it is saved, errors in French and English that keep what was typed, the
export, the deadline extension and where candidates see it."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from admissions.applications.models import ApplicationEvent
from admissions.catalog.models import Campaign, CatalogChange, DeadlineExtension, Programme
from admissions.notify.models import Notification
from admissions.people.models import Role, User
from admissions.rules.rulebook import parse_rulebook
from tests.factories import (
    IN_NORD_CAMPAIGN,
    draft,
    eligible_candidate,
    load_preset,
    programme_of,
    staff_member,
)

pytestmark = pytest.mark.django_db
CAPACITY_SLUG = "ms-cybersecurite"
PREFIX = {"fr": "", "en": "/en"}  # French, the default language, has no prefix


@pytest.fixture
def schools(db: None) -> Iterator[tuple[Campaign, Campaign]]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        yield load_preset("imt-nord-europe"), load_preset("imt-bs")


def _pages(campaign: Campaign) -> list[str]:
    session = campaign.rules.jury_sessions[0].slug if campaign.rules.jury_sessions else ""
    document = campaign.rules.documents.requirements[0].code
    programme = campaign.rules.programmes[0].slug
    pages = [
        reverse("office:catalogue"),
        reverse("office:catalogue_campaign", args=[campaign.pk]),
        reverse("office:catalogue_extend", args=[campaign.pk]),
        reverse("office:catalogue_export", args=[campaign.pk]),
        *(
            reverse("office:catalogue_edit", args=[campaign.pk, section])
            for section in ("dates", "fees", "jury-new", "document-new")
        ),
        reverse("office:catalogue_edit_item", args=[campaign.pk, "programme", programme]),
        reverse("office:catalogue_edit_item", args=[campaign.pk, "document", document]),
    ]
    if session:
        pages.append(reverse("office:catalogue_edit_item", args=[campaign.pk, "jury", session]))
    return pages


def _answers(client: Client, user: User, campaign: Campaign) -> dict[str, int]:
    client.force_login(user)
    found = {url: client.get(url).status_code for url in _pages(campaign)}
    # A post to a form is refused the same way: nothing is changed from outside the scope.
    for url in _pages(campaign)[2:3] + _pages(campaign)[4:]:
        if client.post(url, {"capacity": "1"}).status_code != found[url]:
            found[url + " (post)"] = client.post(url, {"capacity": "1"}).status_code
    return found


@pytest.mark.parametrize("role", [r for r in Role if r != Role.PLATFORM_ADMIN])
def test_staff_of_the_school_other_than_its_administrators_get_404(
    client: Client, schools: tuple[Campaign, Campaign], role: Role
) -> None:
    nord, _bs = schools
    users = [staff_member(role, institution=nord.institution)]
    if role == Role.INSTITUTION_ADMIN:
        # An administrator of one programme only, or of the other school.
        users = [
            staff_member(role, programme=Programme.objects.get(slug=CAPACITY_SLUG)),
            staff_member(role, institution=_bs.institution),
        ]
    for user in users:
        answers = _answers(client, user, nord)
        refused = {url: code for url, code in answers.items() if code != 404}
        if role == Role.INSTITUTION_ADMIN and user.staff_roles.get().institution_id:
            # The other school's administrator has a catalogue home of their own.
            refused.pop(reverse("office:catalogue"), None)
        assert refused == {}
    assert CatalogChange.objects.count() == 0


def test_candidates_get_404(client: Client, schools: tuple[Campaign, Campaign]) -> None:
    nord, _bs = schools
    answers = _answers(client, eligible_candidate(), nord)
    assert set(answers.values()) == {404}


def test_anonymous_visitors_are_sent_to_sign_in(
    client: Client, schools: tuple[Campaign, Campaign]
) -> None:
    nord, _bs = schools
    for url in _pages(nord):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


@pytest.mark.parametrize("role", [Role.INSTITUTION_ADMIN, Role.PLATFORM_ADMIN])
def test_administrators_reach_every_page(
    client: Client, schools: tuple[Campaign, Campaign], role: Role
) -> None:
    nord, _bs = schools
    user = staff_member(role, institution=None if role == Role.PLATFORM_ADMIN else nord.institution)
    client.force_login(user)
    for url in _pages(nord):
        assert client.get(url).status_code == 200, url


def test_the_staff_home_links_to_the_catalogue_for_its_administrators(
    client: Client, schools: tuple[Campaign, Campaign]
) -> None:
    nord, _bs = schools
    link = reverse("office:catalogue")
    client.force_login(staff_member(Role.INSTITUTION_ADMIN, institution=nord.institution))
    assert link in client.get(reverse("office:home")).content.decode()
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution))
    assert link not in client.get(reverse("office:home")).content.decode()


def _admin_client(client: Client, campaign: Campaign, language: str = "en") -> Client:
    user = staff_member(Role.INSTITUTION_ADMIN, institution=campaign.institution)
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
    return client


def _programme_form(campaign: Campaign, **values: Any) -> dict[str, Any]:
    programme = campaign.rules.programme(CAPACITY_SLUG)
    form = {
        "based_on": campaign.rulebook_digest,
        "name_fr": programme.name.fr,
        "name_en": programme.name.en,
        "capacity": str(programme.capacity),
        "duration_months": str(programme.duration_months),
        "internship_months": str(programme.internship_months),
        "tuition_personal": "",
        "tuition_company": "",
    }
    if programme.tuition:
        form["tuition_personal"] = str(programme.tuition.personal)
        form["tuition_company"] = str(programme.tuition.company)
    return form | values


def test_checking_a_change_shows_it_and_what_it_affects_without_saving(
    client: Client, schools: tuple[Campaign, Campaign]
) -> None:
    nord, _bs = schools
    candidate = eligible_candidate()
    draft(candidate, nord, programme_of(nord, CAPACITY_SLUG))
    _admin_client(client, nord)
    url = f"/en/office/catalogue/{nord.pk}/programme/{CAPACITY_SLUG}/"
    page = client.get(url).content.decode()
    assert "0 submitted files keep the rules they were submitted under." in page
    assert "1 draft will follow the new ones." in page

    response = client.post(url, _programme_form(nord, capacity="31", preview="1"))

    page = response.content.decode()
    assert response.status_code == 200
    assert f"programmes[{CAPACITY_SLUG}].capacity" in page
    assert "The change, not saved yet" in page
    assert Programme.objects.get(slug=CAPACITY_SLUG).capacity != 31
    assert not CatalogChange.objects.exists()


def test_saving_a_change_records_it_and_shows_it_on_the_campaign_page(
    client: Client, schools: tuple[Campaign, Campaign]
) -> None:
    nord, _bs = schools
    candidate = eligible_candidate()
    application = draft(candidate, nord, programme_of(nord, CAPACITY_SLUG))
    _admin_client(client, nord)
    url = f"/en/office/catalogue/{nord.pk}/programme/{CAPACITY_SLUG}/"

    response = client.post(url, _programme_form(nord, capacity="31", save="1"))

    assert response.status_code == 302
    assert Programme.objects.get(slug=CAPACITY_SLUG).capacity == 31
    change = CatalogChange.objects.get()
    assert (change.kind, change.subject) == ("programme", CAPACITY_SLUG)
    page = client.get(response["Location"]).content.decode()
    assert "The change is saved and recorded." in page
    assert f"programmes[{CAPACITY_SLUG}].capacity" in page
    event = ApplicationEvent.objects.get(application=application, action="catalog.rules_changed")
    assert event.details["kept"] is False
    client.force_login(candidate)
    status = client.get(f"/en/me/applications/{application.reference}/status/").content.decode()
    assert "this draft follows the new ones" in status


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The last day cannot be before the opening day."),
        ("fr", "Le dernier jour ne peut pas précéder le jour d’ouverture."),
    ],
)
def test_a_refused_date_says_why_in_the_readers_language_and_keeps_what_was_typed(
    client: Client, schools: tuple[Campaign, Campaign], language: str, message: str
) -> None:
    nord, _bs = schools
    _admin_client(client, nord, language)
    url = f"{PREFIX[language]}/office/catalogue/{nord.pk}/dates/"
    response = client.post(
        url,
        {
            "based_on": nord.rulebook_digest,
            "opens_on": "2024-01-10",
            "closes_on": "2023-12-01",
            "international_deadline": "",
            "save": "1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'value="2023-12-01"' in page
    assert 'value="2024-01-10"' in page
    assert not CatalogChange.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Enter an amount in euros with at most two decimals"),
        ("fr", "Saisissez un montant en euros avec au plus deux décimales"),
    ],
)
def test_a_bad_amount_says_why_and_keeps_what_was_typed(
    client: Client, schools: tuple[Campaign, Campaign], language: str, message: str
) -> None:
    nord, _bs = schools
    _admin_client(client, nord, language)
    url = f"{PREFIX[language]}/office/catalogue/{nord.pk}/fees/"
    form = {"based_on": nord.rulebook_digest, "application": "12,345", "save": "1"}
    page = client.post(url, form).content.decode()
    assert message in page
    assert 'value="12,345"' in page


def test_a_change_the_rulebook_refuses_shows_its_checks(
    client: Client, schools: tuple[Campaign, Campaign]
) -> None:
    _nord, bs = schools  # IMT-BS's jury is rolling: it has no sessions
    _admin_client(client, bs)
    url = f"/en/office/catalogue/{bs.pk}/jury-new/"
    form = {
        "based_on": bs.rulebook_digest,
        "slug": "jury-juin",
        "name_fr": "Jury de juin",
        "name_en": "June jury",
        "month": f"{bs.closes_on:%Y-%m}",
        "save": "1",
    }
    page = client.post(url, form).content.decode()
    assert "The rules refuse this change." in page
    assert "jury.rolling" in page
    assert 'value="June jury"' in page
    assert not CatalogChange.objects.exists()


def test_a_stale_form_is_refused_and_keeps_what_was_typed(
    client: Client, schools: tuple[Campaign, Campaign]
) -> None:
    nord, _bs = schools
    _admin_client(client, nord)
    url = f"/en/office/catalogue/{nord.pk}/programme/{CAPACITY_SLUG}/"
    stale = _programme_form(nord, capacity="33", save="1")
    assert client.post(url, _programme_form(nord, capacity="31", save="1")).status_code == 302
    page = client.post(url, stale).content.decode()
    assert "Someone saved another change to these rules meanwhile." in page
    assert 'value="33"' in page
    assert Programme.objects.get(slug=CAPACITY_SLUG).capacity == 31


def test_the_export_loads_to_the_same_rules(
    client: Client, schools: tuple[Campaign, Campaign]
) -> None:
    nord, _bs = schools
    _admin_client(client, nord)
    response = client.get(reverse("office:catalogue_export", args=[nord.pk]))
    assert response["Content-Disposition"].endswith('.toml"')
    text = response.content.decode()
    tomllib.loads(text)
    assert parse_rulebook(text).digest == nord.rulebook_digest


def test_a_deadline_extension_from_its_page_tells_the_candidates(
    client: Client, schools: tuple[Campaign, Campaign]
) -> None:
    nord, _bs = schools
    candidate = eligible_candidate()
    application = draft(candidate, nord, programme_of(nord, CAPACITY_SLUG))
    _admin_client(client, nord)
    new_day = nord.closes_on + dt.timedelta(days=4)
    url = f"/en/office/catalogue/{nord.pk}/deadline/"
    refused = client.post(url, {"which": "closes_on", "new_date": new_day.isoformat()})
    assert "This field is required." in refused.content.decode()
    assert f'value="{new_day.isoformat()}"' in refused.content.decode()

    response = client.post(
        url,
        {"which": "closes_on", "new_date": new_day.isoformat(), "reason": "Outage on Friday."},
    )

    assert response.status_code == 302
    extension = DeadlineExtension.objects.get()
    assert extension.new_date == new_day
    assert Notification.objects.get(kind="deadline_extended").to_address == candidate.email
    campaign_page = client.get(response["Location"]).content.decode()
    assert "Outage on Friday." in campaign_page
    client.force_login(candidate)
    for page in (
        f"/en/me/applications/{application.reference}/status/",
        "/en/me/applications/new/",
        f"/en/programmes/{nord.institution.slug}/{CAPACITY_SLUG}/",
    ):
        content = client.get(page).content.decode()
        assert "Application deadline extended from" in content, page
        assert "Outage on Friday." in content, page
