"""The profile pages: a candidate sees and changes only their own profile."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from admissions.people.models import User
from admissions.people.profile import CandidateProfile, Education, WorkPeriod

pytestmark = pytest.mark.django_db

PARIS_NOON = dt.datetime(2024, 6, 7, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def signed_in(client: Client, candidate: User) -> Client:
    client.force_login(candidate)
    return client


@pytest.fixture
def other_profile(db: None) -> CandidateProfile:
    other = User.objects.create_user("other@example.org", "another password 1")
    return CandidateProfile.objects.create(user=other, nationality="BE", residence_country="BE")


@pytest.mark.parametrize(
    "path",
    [
        "/me/",
        "/me/profile/",
        "/me/profile/identity/",
        "/me/profile/residence/",
        "/me/profile/french/",
        "/me/profile/education/add/",
        "/me/profile/work/add/",
    ],
)
def test_pages_need_a_login(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    "path",
    [
        "/me/profile/",
        "/me/profile/identity/",
        "/me/profile/residence/",
        "/me/profile/french/",
        "/me/profile/education/add/",
        "/me/profile/work/add/",
        "/en/me/profile/residence/",
    ],
)
def test_pages_render_for_a_new_candidate(signed_in: Client, path: str) -> None:
    response = signed_in.get(path)
    assert response.status_code == 200
    assert b'<main id="main"' in response.content


def test_identity_is_saved_and_shown(signed_in: Client, candidate: User) -> None:
    response = signed_in.post(
        "/me/profile/identity/",
        {"given_names": "Amina", "family_name": "Diallo", "birth_date": "1998-04-12"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/profile/#identity"
    profile = CandidateProfile.objects.get(user=candidate)
    assert profile.birth_date == dt.date(1998, 4, 12)
    page = signed_in.get("/me/profile/").content.decode()
    assert "Amina" in page
    assert "12 avril 1998" in page


def test_invalid_input_is_shown_again_with_the_errors(signed_in: Client, candidate: User) -> None:
    response = signed_in.post(
        "/en/me/profile/identity/",
        {
            "given_names": "Amina",
            "family_name": "Diallo",
            "birth_date": "2090-01-01",
            "phone": "+33 6 12 34 56 78",
            "address": "1 rue de la Paix\n59000 Lille",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    # The summary links to the field, which points to its message.
    assert "data-error-summary" in page
    assert 'href="#id_birth_date"' in page
    assert re.search(r'aria-describedby="id_birth_date_error"', page)
    assert 'aria-invalid="true"' in page
    assert 'id="id_birth_date_error"' in page
    assert "Your date of birth cannot be in the future." in page
    # Nothing typed is lost.
    assert 'value="2090-01-01"' in page
    assert 'value="+33 6 12 34 56 78"' in page
    assert "1 rue de la Paix" in page
    assert not CandidateProfile.objects.filter(user=candidate, given_names="Amina").exists()


def test_errors_are_in_french_on_french_pages(signed_in: Client) -> None:
    response = signed_in.post("/me/profile/residence/", {"nationality": "XX"})
    page = response.content.decode()
    assert "n’est pas un code de pays connu" in page
    assert "Ce champ est obligatoire." in page


def test_error_on_a_group_of_radios_links_to_its_first_option(signed_in: Client) -> None:
    response = signed_in.post(
        "/en/me/profile/residence/",
        {
            "nationality": "FR",
            "residence_country": "FR",
            "permit_kind": "student",
            "permit_valid_until": "2030-01-01",
            "in_france_since": "2020-01-01",
        },
    )
    page = response.content.decode()
    assert 'href="#id_permit_kind_0"' in page
    assert 'id="id_permit_kind_0"' in page
    assert '<fieldset aria-describedby="id_permit_kind_helptext id_permit_kind_error">' in page


def test_country_select_is_localized(signed_in: Client) -> None:
    assert (
        '<option value="DE">Allemagne</option>'
        in signed_in.get("/me/profile/residence/").content.decode()
    )
    assert (
        '<option value="DE">Germany</option>'
        in signed_in.get("/en/me/profile/residence/").content.decode()
    )


def test_residence_is_saved(signed_in: Client, candidate: User) -> None:
    response = signed_in.post(
        "/me/profile/residence/",
        {
            "nationality": "SN",
            "residence_country": "FR",
            "permit_kind": "student",
            "permit_valid_until": "2025-09-30",
            "in_france_since": "2022-09-01",
        },
    )
    assert response.status_code == 302
    profile = CandidateProfile.objects.get(user=candidate)
    assert (profile.nationality, profile.permit_kind) == ("SN", "student")
    assert "Sénégal" in signed_in.get("/me/profile/").content.decode()


@time_machine.travel(PARIS_NOON, tick=False)
def test_education_add_edit_delete(signed_in: Client, candidate: User) -> None:
    data = {
        "level": "5",
        "diploma_kind": "master_m2",
        "title": "Master MIAGE",
        "school": "Université de Lille",
        "country": "FR",
        "year": "2022",
        "status": "obtained",
    }
    assert signed_in.post("/me/profile/education/add/", data).status_code == 302
    entry = Education.objects.get(profile__user=candidate)
    page = signed_in.get("/en/me/profile/").content.decode()
    assert "Master MIAGE" in page
    assert "University master, second year (M2)" in page

    data["title"] = "Master MIAGE (apprentissage)"
    assert signed_in.post(f"/me/profile/education/{entry.pk}/", data).status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Master MIAGE (apprentissage)"

    confirm = signed_in.get(f"/me/profile/education/{entry.pk}/delete/")
    assert confirm.status_code == 200
    assert Education.objects.filter(pk=entry.pk).exists()
    response = signed_in.post(f"/me/profile/education/{entry.pk}/delete/")
    assert response["Location"] == "/me/profile/#education"
    assert not Education.objects.filter(pk=entry.pk).exists()


@time_machine.travel(PARIS_NOON, tick=False)
def test_work_periods_show_the_total_experience(signed_in: Client, candidate: User) -> None:
    for employer, start, end in (
        ("Acme", "2020-01-01", "2022-12-31"),
        ("Globex", "2022-01-01", "2024-02-29"),
    ):
        response = signed_in.post(
            "/en/me/profile/work/add/", {"employer": employer, "start": start, "end": end}
        )
        assert response.status_code == 302, response.content
    page = signed_in.get("/en/me/profile/").content.decode()
    assert '<span id="experience-total">4 years 2 months</span>' in page
    page = signed_in.get("/me/profile/").content.decode()
    assert '<span id="experience-total">4 ans 2 mois</span>' in page


@time_machine.travel(PARIS_NOON, tick=False)
def test_work_ending_before_it_starts_keeps_what_was_typed(signed_in: Client) -> None:
    response = signed_in.post(
        "/en/me/profile/work/add/",
        {"employer": "Acme", "position": "Analyst", "start": "2021-05-01", "end": "2020-01-01"},
    )
    page = response.content.decode()
    assert "The end date is before the start date." in page
    assert 'value="Acme"' in page
    assert 'value="2021-05-01"' in page
    assert 'value="2020-01-01"' in page
    assert not WorkPeriod.objects.exists()


@time_machine.travel(PARIS_NOON, tick=False)
def test_htmx_delete_answers_with_the_section(signed_in: Client, candidate: User) -> None:
    profile = CandidateProfile.objects.create(user=candidate)
    kept = WorkPeriod.objects.create(
        profile=profile, employer="Kept", start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31)
    )
    gone = WorkPeriod.objects.create(profile=profile, employer="Gone", start=dt.date(2023, 1, 1))
    response = signed_in.post(
        f"/en/me/profile/work/{gone.pk}/delete/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="panel" id="work"')
    assert "The period of work is deleted." in page
    assert "Kept" in page
    assert "Gone" not in page
    assert '<span id="experience-total">1 year</span>' in page
    assert WorkPeriod.objects.filter(pk=kept.pk).exists()


def test_someone_elses_entries_are_not_found(
    signed_in: Client, other_profile: CandidateProfile
) -> None:
    theirs = Education.objects.create(
        profile=other_profile,
        level=5,
        diploma_kind="master_m2",
        title="Theirs",
        country="BE",
        year=2020,
    )
    period = WorkPeriod.objects.create(
        profile=other_profile, employer="Theirs", start=dt.date(2020, 1, 1)
    )
    for path in (
        f"/me/profile/education/{theirs.pk}/",
        f"/me/profile/education/{theirs.pk}/delete/",
        f"/me/profile/work/{period.pk}/",
        f"/me/profile/work/{period.pk}/delete/",
    ):
        assert signed_in.get(path).status_code == 404
        assert signed_in.post(path, {"employer": "Mine", "start": "2020-01-01"}).status_code == 404
    assert Education.objects.filter(pk=theirs.pk, title="Theirs").exists()
    assert WorkPeriod.objects.filter(pk=period.pk, employer="Theirs").exists()
    assert "Theirs" not in signed_in.get("/me/profile/").content.decode()


def test_dashboard_greets_and_shows_completeness(signed_in: Client, candidate: User) -> None:
    CandidateProfile.objects.create(
        user=candidate, given_names="Amina", nationality="SN", residence_country="FR"
    )
    page = signed_in.get("/en/me/").content.decode()
    assert "Hello Amina" in page
    assert "Profile 33% complete" in page
    assert 'href="/en/me/profile/"' in page
